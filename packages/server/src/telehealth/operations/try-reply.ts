import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { defineOperation } from '../../fhir/operations/define.ts';
import { invalidParameter } from '../../fhir/operations/parameters.ts';
import { HELP_TEXT, PAUSED_TEXT, problemText, RESUMED_TEXT } from '../replies/messages.ts';
import { readingObservation } from '../replies/observations.ts';
import { parseReply } from '../replies/parse.ts';
import { EXPECTATIONS, isExpectation, type Expectation } from '../replies/vocabulary.ts';

const COMMAND_REPLIES = {
  stop: 'You will get no more texts from CareWeave. Text START to receive them again.',
  pause: PAUSED_TEXT,
  resume: RESUMED_TEXT,
  help: HELP_TEXT,
} as const;

/**
 * `PlanDefinition/$try-reply`: what a text would do, without storing anything — for protocol
 * authors (the editor's preview) and integrators. The readings it would record (as Observations,
 * LOINC and UCUM), the command it recognised, whether it would ask again, and the reply it would send.
 */
export const TRY_REPLY = defineOperation<object>({
  code: 'try-reply',
  name: 'PlanDefinitionTryReply',
  title: 'Try a telehealth reply',
  description:
    'Reads a text message as a reply to a telehealth prompt that asked for `expecting` (one or more of ' +
    `${EXPECTATIONS.join(', ')}), and answers with the readings it would record as Observations, the command it ` +
    'recognised (stop, pause, resume, help), whether it would ask again, and the reply it would send. Nothing is ' +
    "stored. Without a protocol the reply to a reading is a plain acknowledgement: the protocol's level replies " +
    'are previewed in the protocol editor.',
  levels: ['type'],
  resourceTypes: ['PlanDefinition'],
  affectsState: false,
  methods: ['POST'],
  parameters: [
    { name: 'text', use: 'in', min: 1, max: 1, type: 'string', documentation: 'The text message as typed' },
    {
      name: 'expecting',
      use: 'in',
      min: 1,
      max: '*',
      type: 'code',
      documentation: `What the prompt asked for, in order: ${EXPECTATIONS.join(' | ')}`,
    },
    {
      name: 'maxScore',
      use: 'in',
      min: 0,
      max: 1,
      type: 'integer',
      documentation: 'The highest score the question allows (default 10)',
    },
    { name: 'reading', use: 'out', min: 0, max: '*', type: 'Observation', documentation: 'A reading it would record' },
    { name: 'command', use: 'out', min: 0, max: 1, type: 'code', documentation: 'stop | pause | resume | help' },
    { name: 'askAgain', use: 'out', min: 1, max: 1, type: 'boolean', documentation: 'Whether it would ask again' },
    { name: 'problem', use: 'out', min: 0, max: '*', type: 'string', documentation: 'What could not be used, and why' },
    { name: 'reply', use: 'out', min: 1, max: 1, type: 'string', documentation: 'The text it would send back' },
  ],
  scopes: [{ resourceType: 'PlanDefinition', interaction: 'r' }],
  handler: ({ input }) => {
    const text = input.string('text') ?? '';
    const expecting = input.strings('expecting').map((value): Expectation => {
      if (!isExpectation(value)) {
        invalidParameter('expecting', `'${value}' is not one of ${EXPECTATIONS.join(', ')}`);
      }
      return value;
    });
    const maxScore = input.integer('maxScore');
    const parsed = parseReply(text, expecting, maxScore === undefined ? {} : { maxScore });
    const effective = new Date().toISOString();
    const reply = parsed.command
      ? COMMAND_REPLIES[parsed.command]
      : (problemText(parsed) ?? 'Thank you, your reading has been recorded.');
    const parameter: ParametersParameter[] = [
      ...parsed.readings.map((reading) => ({ name: 'reading', resource: readingObservation(reading, { effective }) })),
      ...(parsed.command ? [{ name: 'command', valueCode: parsed.command }] : []),
      { name: 'askAgain', valueBoolean: parsed.askAgain },
      ...parsed.problems.map((problem) => ({
        name: 'problem',
        valueString: `${problem.kind}: ${problem.expectation}${problem.text ? ` ("${problem.text}")` : ''}`,
      })),
      { name: 'reply', valueString: reply },
    ];
    return Promise.resolve({ resourceType: 'Parameters', parameter } satisfies Parameters);
  },
});
