import type { StepKind } from '@shared/domain/workflow';
import type { StepKindModule } from './step-kind';

/**
 * Step kind → module. The composition root registers the kinds it builds (storage, transform; http at merge); tests
 * register fakes. What must stay true: one module per kind, and an unknown kind at run time fails that step (the
 * definitions service refuses unknown kinds on save, so this only happens when a kind was removed).
 */
export function createStepRegistry() {
  const kinds = new Map<string, StepKindModule<never>>();
  return {
    register<C>(module: StepKindModule<C>): void {
      if (kinds.has(module.kind)) throw new Error(`step kind ${module.kind} is already registered`);
      kinds.set(module.kind, module as StepKindModule<never>);
    },
    /** Replaces a kind (tests: a fake in place of a real one). */
    replace<C>(module: StepKindModule<C>): void {
      kinds.set(module.kind, module as StepKindModule<never>);
    },
    get(kind: string): StepKindModule<unknown> | undefined {
      return kinds.get(kind) as StepKindModule<unknown> | undefined;
    },
    has: (kind: StepKind | string): boolean => kinds.has(kind),
    kinds: (): string[] => [...kinds.keys()],
  };
}
export type StepRegistry = ReturnType<typeof createStepRegistry>;
