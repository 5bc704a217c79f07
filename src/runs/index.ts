/**
 * The built-in run kinds a sweep can execute: `train` (one training run and its evaluations),
 * `noise` (a copy of a corpus with a known fraction of corrupted captions) and `score` (CLIP scores
 * of every pair, the data-quality filter's input). Each is a thin adapter over src/train, src/data
 * and src/eval.
 */
import type { RunKinds } from "../sweep/kinds";
import { noiseKind } from "./noise";
import { scoreKind } from "./score";
import { trainKind } from "./train";

export const RUN_KINDS: RunKinds = {
  [trainKind.name]: trainKind,
  [noiseKind.name]: noiseKind,
  [scoreKind.name]: scoreKind,
};
