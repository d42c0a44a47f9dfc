import type { HistoryTable } from '@district-monitor/data/history-analysis';

/** What the history analysis worker is sent: the history and the seed. */
export interface HistoryTrainRequest {
  readonly table: HistoryTable;
  readonly seed: number;
}

/** What it answers: progress, the bundle's JSON text, or the failure. */
export type HistoryTrainReply =
  | { readonly type: 'progress'; readonly stage: string; readonly done: number; readonly total: number }
  | { readonly type: 'done'; readonly bundle: string }
  | { readonly type: 'failed'; readonly name: string; readonly message: string };
