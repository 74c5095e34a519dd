// Fast kernels: WebAssembly SIMD hot loops behind the same plan, checks and folding as the reference kernels.
export { normalizeFast } from './normalizeFast';
export { strategy, type Strategy, type StrategyKind } from './strategy';
export { fusedSets, fusedArgs, type FusedArgs } from './fused';
export { applyFast, applyRows, scalarRows } from './apply';
export { foldForApply, statsOf } from './fold';
export { sumsOfSets, sumsOfPositions, sumsOfUnits, emptySums, finishMoments, walkOf, unitCount, type Sums, type Walk } from './sums';
export { kernels, type Kernels } from './wasm';
export { allocSharedTensor, sharedSlotOf, toShared, type SharedSlot } from './sharedTensor';
export { runApplyPart, runApplyPieces, runMomentsPart, runMomentsPieces, gatherMoments, PIECE_FLOATS, type ApplyPart, type MomentsPart } from './parts';
