import {
  ForbiddenException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  type OnModuleInit,
} from '@nestjs/common';
import { historyFileOf, loadHistory, type LoadedHistory } from '@district-monitor/data/runtime';
import type {
  HistoryCell,
  HistoryDistrictAnswer,
  HistoryMetaAnswer,
  HistoryYearAnswer,
  Region,
  UserInfo,
} from '@district-monitor/streams';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG, REGION } from '../config/tokens.js';
import { parseHead, parseYear, ratePer100k } from './history-params.js';
import { HistoryRepository, type StoredHistoryMeta } from './history.repository.js';

type Scope = UserInfo['districts'];

/**
 * The region's yearly district history: loaded from the file the region names into the database at start
 * (only when its content hash differs from the stored one), then served from the database within the
 * caller's district scope. A scoped user sees their districts; statewide police units only a statewide user.
 */
@Injectable()
export class HistoryService implements OnModuleInit {
  private readonly logger = new Logger(HistoryService.name);
  private file: LoadedHistory | undefined;
  private stored: { version: string; meta: StoredHistoryMeta } | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REGION) private readonly region: Region,
    @Inject(HistoryRepository) private readonly repository: HistoryRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    const path = historyFileOf(this.region, this.config.regionFile);
    if (path === undefined) {
      this.logger.log(`region ${this.region.code} names no history file: /api/history answers 404`);
      return;
    }
    const started = Date.now();
    const file = await loadHistory(path);
    if (file.dataset.region !== this.region.code)
      throw new Error(`history file ${path} is of region ${file.dataset.region}, not ${this.region.code}`);
    const result = await this.repository.sync(file.dataset, file.version);
    this.file = file;
    this.stored = await this.repository.meta(this.region.code);
    this.logger.log(
      result.loaded
        ? `loaded history ${path} version ${file.version.slice(0, 12)}: ${result.values} figures in ${Date.now() - started} ms`
        : `history version ${file.version.slice(0, 12)} already stored`,
    );
  }

  /** The history file as loaded at start (for the analysis trained on it), or undefined without one. */
  loaded(): LoadedHistory | undefined {
    return this.file;
  }

  private current(): { version: string; meta: StoredHistoryMeta } {
    if (this.stored === undefined)
      throw new NotFoundException(`region ${this.region.code} has no district history`);
    return this.stored;
  }

  private unitsInScope(meta: StoredHistoryMeta, scope: Scope): StoredHistoryMeta['units'] {
    return scope === null ? meta.units : meta.units.filter((unit) => scope.includes(unit.code));
  }

  meta(scope: Scope): HistoryMetaAnswer {
    const { version, meta } = this.current();
    const { formatVersion: _format, ...rest } = meta;
    return { ...rest, version, units: this.unitsInScope(meta, scope) };
  }

  async year(rawHead: unknown, rawYear: unknown, scope: Scope): Promise<HistoryYearAnswer> {
    const { meta } = this.current();
    const head = parseHead(rawHead, meta);
    const year = parseYear(rawYear, meta);
    const units = this.unitsInScope(meta, scope);
    const codes = scope === null ? null : units.map((u) => u.code);
    const [values, populations] = await Promise.all([
      this.repository.valuesOfYear(meta.region, head, year, codes),
      this.repository.populationsOfYear(meta.region, year, codes),
    ]);
    const valueOf = new Map(values.map((v) => [v.unit, v]));
    const populationOf = new Map(populations.map((p) => [p.unit, p]));
    const cells: HistoryCell[] = units.map((unit) => {
      const stored = valueOf.get(unit.code);
      const population = populationOf.get(unit.code);
      const value = stored?.value ?? null;
      return {
        unit: unit.code,
        name: unit.name,
        kind: unit.kind,
        value,
        population: population?.population ?? null,
        ratePer100k: ratePer100k(value, population?.population ?? null),
        estimated: population?.estimated ?? false,
        carries: population?.carries ?? [],
        source: stored?.source ?? null,
      };
    });
    return { head, year, cells };
  }

  async district(code: string, user: UserInfo): Promise<HistoryDistrictAnswer> {
    const { meta } = this.current();
    const unit = meta.units.find((candidate) => candidate.code === code);
    if (unit === undefined)
      throw new NotFoundException(`code: "${code}" is no unit of region ${meta.region}'s history`);
    if (user.districts !== null && !user.districts.includes(code))
      throw new ForbiddenException(`code: district ${code} is outside what user "${user.username}" may see`);
    const [values, populations] = await Promise.all([
      this.repository.valuesOfUnit(meta.region, code),
      this.repository.populationsOfUnit(meta.region, code),
    ]);
    const yearIndex = new Map(meta.years.map((year, i) => [year, i]));
    const population = meta.years.map((): number | null => null);
    const estimated = meta.years.map(() => false);
    const carries = meta.years.map((): readonly string[] => []);
    for (const p of populations) {
      const i = yearIndex.get(p.year);
      if (i === undefined) continue;
      population[i] = p.population;
      estimated[i] = p.estimated;
      carries[i] = p.carries;
    }
    const series = meta.heads.map((head) => {
      const figures = meta.years.map((): number | null => null);
      const sources = meta.years.map((): string | null => null);
      for (const v of values) {
        const i = yearIndex.get(v.year);
        if (v.head !== head.code || i === undefined) continue;
        figures[i] = v.value;
        sources[i] = v.source;
      }
      return {
        head: head.code,
        values: figures,
        ratesPer100k: figures.map((value, i) => ratePer100k(value, population[i] ?? null)),
        sources,
      };
    });
    return { unit, years: meta.years, population, estimated, carries, series };
  }
}
