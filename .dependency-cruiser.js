/**
 * Dependency rules (`npm run lint`): the layering docs/MODULES.md and STYLE.md describe, checked.
 * Type-only cycles are reported as warnings (they vanish at run time); run-time cycles are errors.
 * @type {import('dependency-cruiser').IConfiguration}
 */
export default {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A run-time import cycle: modules load in an order that depends on who is imported first.',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-circular-type-only',
      severity: 'warn',
      comment:
        'A cycle closed only through type imports: harmless at run time, but a sign of a missing narrow interface.',
      from: {},
      to: { circular: true, via: { dependencyTypes: ['type-only'] } },
    },
    {
      name: 'model-independent-of-policy',
      severity: 'error',
      comment:
        'The access reference model is an independent statement of the rules, checked against the SQL policy by ' +
        'property tests: it must not borrow from the policy it checks.',
      from: { path: '^packages/server/src/access/model/' },
      to: { path: '^packages/server/src/access/policy' },
    },
    {
      name: 'app-only-from-entry-points',
      severity: 'error',
      comment:
        'http/app.ts knows every part of the server; only the entry points (cli/, bench/), test support and tests ' +
        'may import it. Modules depend on the narrow ModuleContext (src/modules/contract.ts).',
      from: {
        path: '^packages/server/src/',
        pathNot: [
          '^packages/server/src/(cli|bench)/',
          '/testing/',
          '\\.test\\.ts$',
          '^packages/server/src/http/app\\.ts$',
        ],
      },
      to: { path: '^packages/server/src/http/app\\.ts$' },
    },
    {
      name: 'web-not-server',
      severity: 'error',
      comment: 'The web app talks to the server over HTTP; shared constants live in @careweave/vocabulary.',
      from: { path: '^packages/web/' },
      to: { path: '^packages/server/' },
    },
    {
      name: 'fhir-not-modules',
      severity: 'error',
      comment: 'The FHIR layer is what modules stand on; it never reaches up into them.',
      from: { path: '^packages/server/src/fhir/' },
      to: { path: '^packages/server/src/(portal|hl7v2|gateways|notifications|events)/' },
    },
  ],
  options: {
    includeOnly: '^packages/(server|web|vocabulary)/',
    exclude: { path: '(^|/)(node_modules|dist|build|test-artifacts)/' },
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'types', 'default'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
