import { z } from 'zod';
import type { AlertLabels, AlertRule, LabelMatcher, RuleCondition, Silence } from './alerts.js';
import { CATEGORIES, SEVERITIES } from './categories.js';
import { UNIT_CODE_PATTERN } from './region.js';

/**
 * The input schemas of rules and silences (`POST/PUT /api/rules`, `POST /api/silences`). A rule is
 * data: an admin edits it through the API and the engine picks it up at its next evaluation.
 */

const RULE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

const seconds = (max: number) => z.number().int().min(0).max(max);
const probability = z.number().min(0).max(1);
const coverage = z.number().gt(0.5).lt(1);

const condition = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('risk'), threshold: probability, clear: probability }).strict(),
  z
    .object({
      kind: z.literal('spike'),
      stepMinutes: z.number().int().min(1).max(1440),
      historySteps: z.number().int().min(12).max(4032),
      coverage,
      clearCoverage: coverage,
      minCount: z.number().int().min(0).max(1_000_000),
    })
    .strict(),
  z
    .object({
      kind: z.literal('surge'),
      changePct: z.number().min(0).max(10_000),
      minCount: z.number().int().min(0).max(1_000_000),
      clearPct: z.number().min(-100).max(10_000),
    })
    .strict(),
  z
    .object({
      kind: z.literal('black_spot'),
      minAccidents: z.number().int().min(2).max(1000),
      radiusKm: z.number().gt(0).max(50),
      hours: z
        .number()
        .int()
        .min(1)
        .max(24 * 30),
    })
    .strict(),
  z
    .object({
      kind: z.literal('category'),
      windowMinutes: z
        .number()
        .int()
        .min(1)
        .max(28 * 1440),
      threshold: z.number().int().min(1).max(1_000_000),
      clear: z.number().int().min(0).max(1_000_000),
    })
    .strict(),
  z
    .object({
      kind: z.literal('no_data'),
      scope: z.enum(['district', 'producer']),
      minutes: z
        .number()
        .int()
        .min(1)
        .max(7 * 1440),
      improbability: z.number().gt(0).lt(1).optional(),
    })
    .strict(),
]);

/** What an admin sends; id, region and the `updated*` fields come from the server. */
export const ruleInputSchema = z
  .object({
    name: z.string().trim().min(1).max(120),
    enabled: z.boolean().default(true),
    severity: z.enum(SEVERITIES),
    category: z.enum(CATEGORIES).nullable().default(null),
    districts: z.array(z.string().regex(UNIT_CODE_PATTERN)).min(1).max(500).nullable().default(null),
    condition,
    forSeconds: seconds(7 * 86_400).default(0),
    keepFiringForSeconds: seconds(7 * 86_400).default(0),
    escalation: z
      .array(
        z.object({ name: z.string().trim().min(1).max(80), afterSeconds: seconds(30 * 86_400) }).strict(),
      )
      .min(1)
      .max(6)
      .refine(
        (levels) =>
          levels.every((level, i) => i === 0 || level.afterSeconds > (levels[i - 1]?.afterSeconds ?? 0)),
        'escalation levels must come later one after another',
      ),
  })
  .strict()
  .superRefine((rule, ctx) => {
    const c = rule.condition;
    const lowerClear =
      (c.kind === 'risk' && c.clear > c.threshold) ||
      (c.kind === 'category' && c.clear > c.threshold) ||
      (c.kind === 'surge' && c.clearPct > c.changePct) ||
      (c.kind === 'spike' && c.clearCoverage > c.coverage);
    if (lowerClear) {
      ctx.addIssue({
        code: 'custom',
        path: ['condition'],
        message: 'the clear threshold must not be above the firing threshold',
      });
    }
    if (c.kind === 'no_data' && c.scope === 'producer' && c.improbability !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['condition', 'improbability'],
        message: 'improbability needs a usual rate, which only a district has: use it with scope district',
      });
    }
    if (c.kind === 'black_spot' && rule.category !== null && rule.category !== 'road_accident') {
      ctx.addIssue({
        code: 'custom',
        path: ['category'],
        message: 'a black_spot rule watches road accidents: category must be null or road_accident',
      });
    }
  });

export type RuleInput = z.output<typeof ruleInputSchema>;

export const RULE_ID = z
  .string()
  .regex(RULE_ID_PATTERN, 'expected 1-63 characters: a-z, 0-9 and - (not first)');

const matcher = z
  .object({
    label: z.enum(['rule', 'kind', 'district', 'category', 'severity', 'producer']),
    op: z.enum(['=', '!=', '=~', '!~']),
    value: z.string().max(200),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (m.op === '=~' || m.op === '!~') {
      try {
        new RegExp(`^(?:${m.value})$`);
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          path: ['value'],
          message: `not a regular expression: ${(error as Error).message}`,
        });
      }
    }
  });

/** A silence needs matchers, a reason and an end; it starts now unless `startsAt` says later. */
export const silenceInputSchema = z
  .object({
    matchers: z.array(matcher).min(1).max(20),
    reason: z.string().trim().min(3).max(500),
    startsAt: z.iso.datetime({ offset: true }).optional(),
    endsAt: z.iso.datetime({ offset: true }),
  })
  .strict()
  .refine(
    (s) => {
      // In the future even with an explicit start: a silence born expired would only seem to silence.
      const end = Date.parse(s.endsAt);
      return end > Date.now() && (s.startsAt === undefined || end > Date.parse(s.startsAt));
    },
    {
      path: ['endsAt'],
      message: 'endsAt must be after startsAt (and in the future)',
    },
  );

export type SilenceInput = z.output<typeof silenceInputSchema>;

/** `path: message; ...` for a 400 answer. */
function issuesText(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ');
}

export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export function parseRuleInput(body: unknown): Parsed<RuleInput> {
  const result = ruleInputSchema.safeParse(body);
  return result.success ? { ok: true, value: result.data } : { ok: false, reason: issuesText(result.error) };
}

export function parseSilenceInput(body: unknown): Parsed<SilenceInput> {
  const result = silenceInputSchema.safeParse(body);
  return result.success ? { ok: true, value: result.data } : { ok: false, reason: issuesText(result.error) };
}

/** Whether an alert's labels satisfy every matcher of a silence. */
export function matchesAll(matchers: readonly LabelMatcher[], labels: AlertLabels): boolean {
  const byName: Readonly<Record<string, string | undefined>> = { ...labels };
  return matchers.every((m) => {
    const value = byName[m.label] ?? '';
    switch (m.op) {
      case '=':
        return value === m.value;
      case '!=':
        return value !== m.value;
      case '=~':
        return new RegExp(`^(?:${m.value})$`).test(value);
      case '!~':
        return !new RegExp(`^(?:${m.value})$`).test(value);
    }
  });
}

/** A silence is active from its start until it ends or someone expires it. */
export function silenceActive(silence: Silence, now: number): boolean {
  return (
    silence.expiredBy === null && Date.parse(silence.startsAt) <= now && now < Date.parse(silence.endsAt)
  );
}

export type { AlertRule, RuleCondition };
