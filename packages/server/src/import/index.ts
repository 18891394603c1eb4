export { importFiles } from './importer.ts';
export { readCurrentResources } from './current.ts';
export { formatProgressLine, formatSummary } from './report.ts';
export type { ImportFailure, ImportOptions, ImportPhase, ImportProgress, ImportSummary, SkippedFile } from './types.ts';
