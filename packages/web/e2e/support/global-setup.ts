import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildWebApp } from './server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where this run's seeded template databases live (e2e/support/server.ts). */
    e2eTemplates: string;
  }
}

/**
 * Before any test file: the web app built (files run two at a time and must not build it at once),
 * and one folder per test run for the seeded template databases, removed when the run ends.
 */
export default function setup(project: TestProject): () => void {
  buildWebApp();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'careweave-e2e-templates-'));
  project.provide('e2eTemplates', root);
  return () => fs.rmSync(root, { recursive: true, force: true });
}
