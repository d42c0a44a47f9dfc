import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { kafka } from './kafka.js';
import { REPO_ROOT, uniqueName, waitFor } from './services.js';

const run = promisify(execFile);

/** A single-node KRaft broker of one test's own, which the test may stop and start again. */
export interface DedicatedBroker {
  /** `127.0.0.1:<port>` */
  readonly brokers: string;
  /** SIGTERM (controlled shutdown) and wait for the process to end. */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data, and waits until it serves clients. */
  start(): Promise<void>;
  /** Stops it and deletes its folder. */
  destroy(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

/**
 * Starts a broker like deploy/kafka.sh does (same jars, from the local Maven repository that
 * deploy/kafka.sh filled; resolved offline), on free ports with its data under `.local/chaos-kafka/`.
 * Never the shared broker: other tests use that one.
 */
export async function startDedicatedBroker(): Promise<DedicatedBroker> {
  const dir = join(REPO_ROOT, '.local', 'chaos-kafka', uniqueName('kafka-'));
  mkdirSync(join(dir, 'data'), { recursive: true });
  const classpathFile = join(dir, 'classpath.txt');
  await run('mvn', [
    '-q',
    '-o',
    '-B',
    '-f',
    join(REPO_ROOT, 'deploy', 'kafka', 'pom.xml'),
    'dependency:build-classpath',
    `-Dmdep.outputFile=${classpathFile}`,
  ]).catch((error: unknown) => {
    throw new Error(
      'resolving the Kafka jars offline failed: run deploy/kafka.sh start once (it fetches them)',
      {
        cause: error,
      },
    );
  });
  const classpath = readFileSync(classpathFile, 'utf8').trim();
  const [port, controller] = [await freePort(), await freePort()];
  const properties = join(dir, 'server.properties');
  writeFileSync(
    properties,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controller}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      `log.dirs=${join(dir, 'data')}`,
      'num.partitions=1',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=4',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      '',
    ].join('\n'),
  );
  const log4j = join(dir, 'log4j.properties');
  writeFileSync(
    log4j,
    [
      'log4j.rootLogger=WARN, file',
      'log4j.appender.file=org.apache.log4j.FileAppender',
      `log4j.appender.file.File=${join(dir, 'broker.log')}`,
      'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
      '',
    ].join('\n'),
  );
  const tool = [
    '-Xmx256m',
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseSerialGC',
    `-Dlog4j.configuration=file:${log4j}`,
  ];
  const { stdout: clusterId } = await run('java', [
    ...tool,
    '-cp',
    classpath,
    'kafka.tools.StorageTool',
    'random-uuid',
  ]);
  await run('java', [
    ...tool,
    '-cp',
    classpath,
    'kafka.tools.StorageTool',
    'format',
    '-t',
    clusterId.trim(),
    '-c',
    properties,
  ]);

  let child: ChildProcess | undefined;
  let exited: Promise<unknown> = Promise.resolve();
  const brokers = `127.0.0.1:${port}`;
  const start = async () => {
    const out = openSync(join(dir, 'broker.out'), 'a');
    const java = spawn(
      'java',
      [
        '-Xms128m',
        '-Xmx384m',
        `-Dlog4j.configuration=file:${log4j}`,
        '-cp',
        classpath,
        'kafka.Kafka',
        properties,
      ],
      { stdio: ['ignore', out, out] },
    );
    child = java;
    exited = new Promise((resolve) => java.once('exit', resolve));
    await waitFor(
      `the dedicated broker ${brokers} to serve clients`,
      async () => {
        if (java.exitCode !== null)
          throw new Error(`broker exited with ${java.exitCode}: see ${dir}/broker.out`);
        const admin = kafka(brokers).admin();
        await admin.connect();
        try {
          await admin.describeCluster();
          return true;
        } finally {
          await admin.disconnect();
        }
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
  };
  const stop = async () => {
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const java = child;
    java.kill('SIGTERM');
    const killer = setTimeout(() => java.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(killer);
  };
  await start();
  return {
    brokers,
    stop,
    start,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
