// Fast kernels: WebAssembly SIMD hot loops behind the same plan, checks and folding as the reference kernels.
export { normalizeFast, momentsFast } from './normalizeFast';
export { canFuse, canFuseInChunks, fusedSets } from './fused';
export { applyFast, applyRows, scalarRows } from './apply';
export { foldForApply, statsOf } from './fold';
export { sumsOfSets, sumsOfRows, finishMoments, walkOf, unitCount, type Sums, type Walk } from './sums';
export { kernels, type Kernels } from './wasm';
export { allocSharedTensor, sharedSlotOf, type SharedSlot } from './sharedTensor';
export { runApplyPart, runMomentsPart, type ApplyPart, type MomentsPart } from './parts';
