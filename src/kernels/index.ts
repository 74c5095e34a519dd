// Public surface of the kernels: pure numerics, no vscode, DOM or Node imports.
export * from './types';
export { NormError, fail, fmtShape } from './errors';
export { makePlan, setOf, type NormPlan } from './plan';
export { setMoments, type Moments } from './moments';
export { normalize, CHUNK_ELEMENTS, checkNormInput, foldStatistics, updateRunning, applyScaleShift, rowCount, type CheckedParams, type Folded, type NormalizeOptions } from './normalize';
export { numel, storedShapeOf, logicalShapeOf, convertLayout } from './shape';
