/** Injection tokens of the models module's interfaces (the trainer and the scorer loader). */
export const MODEL_TRAINER = Symbol('ModelTrainer');
export const SCORER_LOADER = Symbol('ScorerLoader');
