import type { Actor } from '../access/actor.ts';
import type { Queryable } from '../db/database.ts';
import { badRequest } from '../fhir/outcome.ts';
import type { ModuleContext } from '../modules/contract.ts';
import { requirePracticeStaff } from './access.ts';
import { PracticeSmsRepository } from './practice-sms.repository.ts';
import {
  DEFAULT_TEMPLATES,
  FIELDS,
  render,
  smsParts,
  TEMPLATE_KINDS,
  validateTemplate,
  type TemplateKind,
} from './templates.ts';

/** Example values for a preview: plainly examples, never a real patient's. */
const SAMPLE: Record<string, string> = {
  firstName: 'Alex',
  practiceName: 'Your Practice',
  appointmentDate: 'Tuesday 3 March',
  appointmentTime: '09:15',
  location: 'Main surgery',
  review: 'asthma review',
};

export function templateKind(value: unknown): TemplateKind {
  return TEMPLATE_KINDS.includes(value as TemplateKind)
    ? (value as TemplateKind)
    : badRequest(`Unknown template '${String(value)}': one of ${TEMPLATE_KINDS.join(', ')}`, ['kind']);
}

/** The practice's own template of a kind, or the default. */
export async function templateFor(tx: Queryable, organizationId: string, kind: TemplateKind): Promise<string> {
  return (await new PracticeSmsRepository(tx).templates(organizationId)).get(kind) ?? DEFAULT_TEMPLATES[kind];
}

export class TemplateService {
  private readonly context: ModuleContext;

  constructor(context: ModuleContext) {
    this.context = context;
  }

  async list(actor: Actor | undefined) {
    const staff = requirePracticeStaff(actor, 'see practice text templates');
    const own = await new PracticeSmsRepository(this.context.db).templates(staff.organizationId);
    return {
      templates: TEMPLATE_KINDS.map((kind) => {
        const body = own.get(kind) ?? DEFAULT_TEMPLATES[kind];
        return { kind, body, custom: own.has(kind), fields: FIELDS[kind], ...smsParts(render(body, SAMPLE)) };
      }),
    };
  }

  async save(actor: Actor | undefined, kind: TemplateKind, body: unknown) {
    const staff = requirePracticeStaff(actor, 'change practice text templates');
    const text = typeof body === 'string' ? body : badRequest('Enter the text of the message', ['body']);
    validateTemplate(kind, text);
    await new PracticeSmsRepository(this.context.db).saveTemplate(staff.organizationId, kind, text);
    return { kind, body: text, custom: true, fields: FIELDS[kind], ...smsParts(render(text, SAMPLE)) };
  }

  /** The template as a text would read (example values), and how many SMS parts it takes. */
  preview(actor: Actor | undefined, kind: TemplateKind, body: unknown) {
    requirePracticeStaff(actor, 'preview practice text templates');
    const text = typeof body === 'string' ? body : badRequest('Enter the text of the message', ['body']);
    validateTemplate(kind, text);
    const rendered = render(text, SAMPLE);
    return { kind, text: rendered, ...smsParts(rendered) };
  }
}
