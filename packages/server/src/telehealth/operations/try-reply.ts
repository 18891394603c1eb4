import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { defineOperation } from '../../fhir/operations/define.ts';
import { invalidParameter, type OperationInput } from '../../fhir/operations/parameters.ts';
import { assessReply, type Assessment } from '../protocols/assess.ts';
import type { Protocol } from '../protocols/model.ts';
import { HELP_TEXT, PAUSED_TEXT, problemText, RESUMED_TEXT } from '../replies/messages.ts';
import { readingObservation } from '../replies/observations.ts';
import { parseReply, type ParsedReply } from '../replies/parse.ts';
import { EXPECTATIONS, isExpectation, type Expectation } from '../replies/vocabulary.ts';

const COMMAND_REPLIES = {
  stop: 'You will get no more texts from CareWeave. Text START to receive them again.',
  pause: PAUSED_TEXT,
  resume: RESUMED_TEXT,
  help: HELP_TEXT,
} as const;

/** A protocol and one of its prompts, as the caller named them (`protocol`, `version`, `prompt`). */
interface ProtocolPrompt {
  protocol: Protocol;
  promptId: string;
}

/** How the operation finds a protocol version (the module's registry: the library and the record). */
export interface TryReplyDeps {
  /** The given version, or the latest when `version` is undefined; undefined when there is none. */
  findProtocol(id: string, version?: number): Promise<Protocol | undefined>;
}

/**
 * The protocol the caller named: its latest version (library or published by an author) unless
 * `version` says which.
 */
async function namedProtocol(deps: TryReplyDeps, input: OperationInput): Promise<ProtocolPrompt | undefined> {
  const id = input.string('protocol');
  if (id === undefined) {
    for (const name of ['version', 'prompt']) {
      if (input.has(name)) {
        invalidParameter(name, `'${name}' is given only with 'protocol'`);
      }
    }
    return undefined;
  }
  if (input.has('expecting')) {
    // The prompt says what it expects: two answers to one question would be a guess.
    invalidParameter('expecting', "Give either 'protocol' (its prompt says what is expected) or 'expecting', not both");
  }
  const version = input.integer('version');
  const latest =
    (await deps.findProtocol(id)) ?? invalidParameter('protocol', `There is no telehealth protocol '${id}'`);
  const protocol =
    version === undefined
      ? latest
      : ((await deps.findProtocol(id, version)) ??
        invalidParameter('version', `'${id}' has no version ${version} (the latest is ${latest.version})`));
  const promptId = input.string('prompt') ?? protocol.prompts[0]!.id;
  if (!protocol.prompts.some((p) => p.id === promptId)) {
    const ids = protocol.prompts.map((p) => p.id).join(', ');
    invalidParameter('prompt', `The '${id}' protocol has no prompt '${promptId}' (it has ${ids})`);
  }
  return { protocol, promptId };
}

function expectations(input: OperationInput): Expectation[] {
  const expecting = input.strings('expecting').map((value): Expectation => {
    if (!isExpectation(value)) {
      invalidParameter('expecting', `'${value}' is not one of ${EXPECTATIONS.join(', ')}`);
    }
    return value;
  });
  if (!expecting.length) {
    invalidParameter('expecting', "Give what the prompt asked for ('expecting'), or a 'protocol' whose prompt says");
  }
  return expecting;
}

/** Without a protocol: what the parser reads, with a plain acknowledgement for a reading. */
function withoutProtocol(text: string, input: OperationInput): { parsed: ParsedReply; reply: string } {
  const maxScore = input.integer('maxScore');
  const parsed = parseReply(text, expectations(input), maxScore === undefined ? {} : { maxScore });
  const reply = parsed.command
    ? COMMAND_REPLIES[parsed.command]
    : (problemText(parsed) ?? 'Thank you, your reading has been recorded.');
  return { parsed, reply };
}

/** The assessment's part of the answer: the level, why, and whether the team would be alerted. */
function assessmentParameters(assessment: Assessment): ParametersParameter[] {
  return [
    { name: 'level', valueCode: assessment.level },
    ...assessment.reasons.map((reason) => ({ name: 'reason', valueString: reason })),
    { name: 'escalate', valueBoolean: assessment.escalate },
  ];
}

/**
 * `PlanDefinition/$try-reply`: what a text would do, without storing anything — for protocol
 * authors (the protocol page's preview) and integrators. The readings it would record (as
 * Observations, LOINC and UCUM), the command it recognised, whether it would ask again, and the reply
 * it would send; with a protocol, also the level, its reasons and whether the team would be alerted.
 */
export const TRY_REPLY = defineOperation<TryReplyDeps>({
  code: 'try-reply',
  name: 'PlanDefinitionTryReply',
  title: 'Try a telehealth reply',
  description:
    'Reads a text message as a reply to a telehealth prompt, and answers with the readings it would record as ' +
    'Observations, the command it recognised (stop, pause, resume, help), whether it would ask again, and the reply ' +
    'it would send. Nothing is stored. Either name a protocol (and optionally its version and prompt): the prompt ' +
    "says what is expected, and the answer adds the level under the protocol's rules (with no earlier readings, so " +
    "trend rules cannot fire), the reasons, whether the team would be alerted, and the protocol's reply for the " +
    `level. Or give \`expecting\` (one or more of ${EXPECTATIONS.join(', ')}): the reply to a reading is then a ` +
    'plain acknowledgement.',
  levels: ['type'],
  resourceTypes: ['PlanDefinition'],
  affectsState: false,
  methods: ['POST'],
  parameters: [
    { name: 'text', use: 'in', min: 1, max: 1, type: 'string', documentation: 'The text message as typed' },
    {
      name: 'protocol',
      use: 'in',
      min: 0,
      max: 1,
      type: 'code',
      documentation: 'The telehealth protocol the reply answers, by id (e.g. copd); instead of `expecting`',
    },
    {
      name: 'version',
      use: 'in',
      min: 0,
      max: 1,
      type: 'integer',
      documentation: "The protocol's version (default: the library's)",
    },
    {
      name: 'prompt',
      use: 'in',
      min: 0,
      max: 1,
      type: 'code',
      documentation: "The id of the protocol's prompt being answered (default: its first)",
    },
    {
      name: 'expecting',
      use: 'in',
      min: 0,
      max: '*',
      type: 'code',
      documentation: `Without a protocol, what the prompt asked for, in order: ${EXPECTATIONS.join(' | ')}`,
    },
    {
      name: 'maxScore',
      use: 'in',
      min: 0,
      max: 1,
      type: 'integer',
      documentation: 'Without a protocol, the highest score the question allows (default 10)',
    },
    { name: 'reading', use: 'out', min: 0, max: '*', type: 'Observation', documentation: 'A reading it would record' },
    { name: 'command', use: 'out', min: 0, max: 1, type: 'code', documentation: 'stop | pause | resume | help' },
    { name: 'askAgain', use: 'out', min: 1, max: 1, type: 'boolean', documentation: 'Whether it would ask again' },
    { name: 'problem', use: 'out', min: 0, max: '*', type: 'string', documentation: 'What could not be used, and why' },
    {
      name: 'level',
      use: 'out',
      min: 0,
      max: 1,
      type: 'code',
      documentation: "With a protocol: green | amber | red, under the protocol's level and total rules",
    },
    {
      name: 'reason',
      use: 'out',
      min: 0,
      max: '*',
      type: 'string',
      documentation: 'With a protocol: why the level is amber or red (the reasons of the rules that matched)',
    },
    {
      name: 'escalate',
      use: 'out',
      min: 0,
      max: 1,
      type: 'boolean',
      documentation: 'With a protocol: whether the team would be alerted (a Flag, a Task and a notification)',
    },
    { name: 'reply', use: 'out', min: 1, max: 1, type: 'string', documentation: 'The text it would send back' },
  ],
  scopes: [{ resourceType: 'PlanDefinition', interaction: 'r' }],
  handler: async ({ deps, input }) => {
    const text = input.string('text') ?? '';
    const named = await namedProtocol(deps, input);
    // No history: the preview shows what one reply means on its own (trend rules need earlier readings).
    const assessment = named ? assessReply(named.protocol, named.promptId, text) : undefined;
    const { parsed, reply } = assessment
      ? {
          parsed: assessment.parsed,
          reply: assessment.parsed.command ? COMMAND_REPLIES[assessment.parsed.command] : assessment.reply!,
        }
      : withoutProtocol(text, input);
    const prompt = named?.protocol.prompts.find((p) => p.id === named.promptId);
    const questionCode = prompt?.questionCode
      ? { questionCode: { coding: [prompt.questionCode], text: prompt.questionCode.display } }
      : {};
    const effective = new Date().toISOString();
    const parameter: ParametersParameter[] = [
      ...parsed.readings.map((reading) => ({
        name: 'reading',
        resource: readingObservation(reading, { effective, ...questionCode }),
      })),
      ...(parsed.command ? [{ name: 'command', valueCode: parsed.command }] : []),
      { name: 'askAgain', valueBoolean: parsed.askAgain },
      ...parsed.problems.map((problem) => ({
        name: 'problem',
        valueString: `${problem.kind}: ${problem.expectation}${problem.text ? ` ("${problem.text}")` : ''}`,
      })),
      ...(assessment && !parsed.command ? assessmentParameters(assessment) : []),
      { name: 'reply', valueString: reply },
    ];
    return { resourceType: 'Parameters', parameter } satisfies Parameters;
  },
});
