/** What the workflow runner bench needs from the core, bundled by bench/workflows.bench.mjs. */
export { createCore, localActor } from '@core/index';
export { createTransformStepKind } from '@core/workflows/steps/transform-step';
export { nameKey } from '@shared/domain/names';
