/** The history source (NCRB files today) and the trainer, injectable so specs can give their own. */
export const HISTORY_SOURCE = Symbol('HistorySource');
export const HISTORY_TRAINER = Symbol('HistoryTrainer');
