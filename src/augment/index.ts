/** Batched, seeded image augmentations on the backend (see policies.ts for the named recipes). */
export * from "./color";
export * from "./filters";
export * from "./geometry";
export * from "./policies";
export * from "./randaugment";
export { deriveSeed, Rng } from "./random";
