import type { FastifyInstance } from 'fastify';
import type { ConversationService } from './conversations.service.ts';
import type { RecallService } from './recalls.service.ts';
import type { ReminderService } from './reminders.service.ts';
import type { ResultsService } from './results.service.ts';
import { templateKind, type TemplateService } from './templates.service.ts';

export interface PracticeSmsServices {
  conversations: ConversationService;
  reminders: ReminderService;
  recalls: RecallService;
  results: ResultsService;
  templates: TemplateService;
}

type Body = Record<string, unknown>;
const body = (request: { body: unknown }): Body => (request.body ?? {}) as Body;
const param = (request: { params: unknown }, name: string): string => (request.params as Record<string, string>)[name]!;

/** The practice staff's API under /api/practice-sms (thin: parse, call the service, answer). */
export function registerPracticeSmsRoutes(app: FastifyInstance, s: PracticeSmsServices): void {
  const base = '/api/practice-sms';
  app.get(`${base}/conversations`, (request) => s.conversations.list(request.actor));
  app.get(`${base}/conversations/:phone`, (request) => s.conversations.thread(request.actor, param(request, 'phone')));
  app.post(`${base}/conversations/:phone/reply`, (request) =>
    s.conversations.reply(request.actor, param(request, 'phone'), body(request).body),
  );
  app.get(`${base}/reminders`, (request) => s.reminders.list(request.actor));
  app.get(`${base}/reminders/settings`, (request) => s.reminders.settings(request.actor));
  app.put(`${base}/reminders/settings`, (request) => s.reminders.saveSettings(request.actor, body(request)));
  app.post(`${base}/reminders/send-due`, (request) => s.reminders.runNow(request.actor));
  app.get(`${base}/recalls`, (request) => s.recalls.history(request.actor));
  app.post(`${base}/recalls/preview`, (request) => s.recalls.preview(request.actor, body(request)));
  app.post(`${base}/recalls`, (request) => s.recalls.send(request.actor, body(request)));
  app.post(`${base}/results/preview`, (request) => s.results.preview(request.actor, body(request)));
  app.post(`${base}/results`, (request) => s.results.sendNormal(request.actor, body(request)));
  app.get(`${base}/templates`, (request) => s.templates.list(request.actor));
  app.put(`${base}/templates/:kind`, (request) =>
    s.templates.save(request.actor, templateKind(param(request, 'kind')), body(request).body),
  );
  app.post(`${base}/templates/:kind/preview`, (request) =>
    Promise.resolve().then(() =>
      s.templates.preview(request.actor, templateKind(param(request, 'kind')), body(request).body),
    ),
  );
}
