/** Injection tokens of the models module's interfaces (the trainer and the scorer loader). */
export const MODEL_TRAINER = Symbol('ModelTrainer');
export const SCORER_LOADER = Symbol('ScorerLoader');
/** How replicas agree on training and hear of activations (model-coordination.ts). */
export const MODEL_COORDINATION = Symbol('ModelCoordination');
