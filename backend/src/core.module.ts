import { Global, Module, type DynamicModule } from '@nestjs/common';
import { readRegion } from '@district-monitor/data/runtime';
import { topicNames, type Region } from '@district-monitor/streams';
import type { AppConfig } from './config/app-config.js';
import {
  APP_CONFIG,
  DATABASE,
  DEAD_LETTER_SINK,
  EVENT_PUBLISHER,
  EVENT_SOURCE,
  REGION,
} from './config/tokens.js';
import type { Database } from './database/database.js';
import { bucketContext, migrate } from './database/migrate.js';
import { applyStoragePolicies } from './database/timescale.js';
import { PgliteDatabase } from './database/pglite.repository.js';
import { PostgresDatabase } from './database/postgres.repository.js';
import { EventStoreRepository } from './database/event-store.repository.js';
import { DeadLetterTableRepository } from './transport/dead-letter.repository.js';
import { InProcessTransport } from './transport/in-process.transport.js';
import { KafkaEventSource } from './transport/kafka.consumer.js';
import { KafkaProducerRepository } from './transport/kafka-producer.repository.js';
import type { DeadLetterSink, EventPublisher, EventSource } from './transport/transport.js';

const TRANSPORT = Symbol('Transport');

interface Transport {
  source: EventSource;
  publisher: EventPublisher;
  deadLetters: DeadLetterSink;
}

/** Chooses the drivers from the configuration: Kafka or in-process, PostgreSQL or embedded PGlite. */
function createTransport(config: AppConfig, db: Database): Transport {
  if (config.kafka !== undefined) {
    // A letter the dead-letter topic refuses for good is recorded in the database instead.
    const producer = new KafkaProducerRepository(config.kafka, new DeadLetterTableRepository(db));
    return { source: new KafkaEventSource(config.kafka), publisher: producer, deadLetters: producer };
  }
  const inProcess = new InProcessTransport(topicNames(), config.inProcessQueue);
  return { source: inProcess, publisher: inProcess, deadLetters: new DeadLetterTableRepository(db) };
}

async function openDatabase(config: AppConfig, region: Region): Promise<Database> {
  const db =
    config.databaseUrl !== undefined
      ? await PostgresDatabase.open(config.databaseUrl)
      : await PgliteDatabase.open(config.dataDir);
  try {
    await migrate(db, bucketContext(region));
    await applyStoragePolicies(db, {
      timescale: db.info.timescaledb !== null,
      amendmentWindowDays: config.amendmentWindowDays,
    });
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}

/** Configuration, region, database and transport: the drivers every feature module uses. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: REGION, useFactory: () => readRegion(config.regionFile) },
        { provide: DATABASE, inject: [REGION], useFactory: (region: Region) => openDatabase(config, region) },
        { provide: TRANSPORT, inject: [DATABASE], useFactory: (db: Database) => createTransport(config, db) },
        { provide: EVENT_SOURCE, inject: [TRANSPORT], useFactory: (t: Transport) => t.source },
        { provide: EVENT_PUBLISHER, inject: [TRANSPORT], useFactory: (t: Transport) => t.publisher },
        { provide: DEAD_LETTER_SINK, inject: [TRANSPORT], useFactory: (t: Transport) => t.deadLetters },
        EventStoreRepository,
      ],
      exports: [
        APP_CONFIG,
        REGION,
        DATABASE,
        EVENT_SOURCE,
        EVENT_PUBLISHER,
        DEAD_LETTER_SINK,
        EventStoreRepository,
      ],
    };
  }
}
