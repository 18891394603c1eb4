import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectScreenOk, launchBrowser, newPage, signIn } from './support/browser.ts';
import { buildWebApp, startE2eServer, type E2eServer } from './support/server.ts';

/**
 * Practice texts (docs/PRACTICE-SMS.md), as the practice administrator demo.practiceadmin uses them:
 * she sees the demo's reminders, plays a reminded patient's phone and replies CANCEL, and finds the
 * appointment cancelled by the reply and its slot free; then a message from that phone reaches the
 * practice inbox and she replies. Also the recall preview and a refused template, at 375 px. Each
 * screen is screenshotted into test-artifacts/ and checked with axe-core (WCAG 2.2 AA).
 */
let server: E2eServer;
let browser: Browser;
let closeBrowser: () => Promise<void>;

const NARROW = { width: 375, height: 812 };
const ADMIN = 'demo.practiceadmin';

beforeAll(async () => {
  buildWebApp();
  [server, { browser, close: closeBrowser }] = await Promise.all([startE2eServer(150), launchBrowser()]);
});

afterAll(async () => {
  await closeBrowser?.();
  await server?.stop();
});

const check = (page: Page, name: string): Promise<void> => expectScreenOk(page, `practice-sms-${name}`);

/** A call to the API as the signed-in user (the token oidc-client-ts keeps in the tab's session storage). */
async function apiGet<T>(page: Page, path: string): Promise<T> {
  return page.evaluate<T, string>(async (url) => {
    const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'))!;
    const token = (JSON.parse(sessionStorage.getItem(key)!) as { access_token: string }).access_token;
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
    return (await response.json()) as T;
  }, path);
}

interface Reminder {
  appointmentId: string;
  phone: string;
  status: string;
}

describe('practice texts', () => {
  it('a reminder’s CANCEL reply cancels the appointment and frees its slot; a message and a reply', async () => {
    const { page } = await newPage(browser);
    await signIn(page, server.baseUrl, ADMIN, { returnTo: '/practice-sms/reminders' });
    await page.getByRole('heading', { level: 1, name: /Appointment reminders/ }).waitFor();
    await page.getByRole('table').waitFor();
    const { reminders } = await apiGet<{ reminders: Reminder[] }>(page, '/api/practice-sms/reminders');
    // A CANCEL answers the newest live reminder to its phone: take a reminder whose phone had no other
    // (demo mobiles are random, so two patients can share one).
    const live = reminders.find(
      (r) => r.status === 'sent' && reminders.filter((o) => o.phone === r.phone).length === 1,
    );
    expect(live, 'the demo has a reminder still to answer').toBeDefined();
    expect(reminders.some((r) => r.status === 'cancelled-by-reply')).toBe(true);
    await check(page, 'reminders');

    const { appointmentId, phone } = live!;
    const before = await apiGet<{ status: string; slot: { reference: string }[] }>(
      page,
      `/fhir/R4/Appointment/${appointmentId}`,
    );
    expect(before.status).toBe('booked');

    // The patient's phone: the reminder is there; they reply CANCEL.
    await page.goto(`${server.baseUrl}/phone`);
    await page.getByLabel('Mobile phone number').fill(phone);
    await page.getByRole('button', { name: 'Show this phone’s messages' }).click();
    await page.locator('.cw-sms__message').filter({ hasText: 'Reply CANCEL' }).first().waitFor();
    // The demo may already have cancelled another of this phone's appointments by reply: wait for a new confirmation.
    const confirmations = page.locator('.cw-sms__message').filter({ hasText: 'is cancelled' });
    const confirmedBefore = await confirmations.count();
    await page.getByLabel('Text message').fill('CANCEL');
    await page.getByRole('button', { name: 'Send from this phone' }).click();
    await expect.poll(() => confirmations.count(), { timeout: 15_000 }).toBeGreaterThan(confirmedBefore);
    await check(page, 'phone-cancelled');

    const appointment = (): Promise<{ status: string; cancelationReason?: { text?: string } }> =>
      apiGet(page, `/fhir/R4/Appointment/${appointmentId}`);
    await expect.poll(async () => (await appointment()).status).toBe('cancelled');
    const after = await appointment();
    expect(after.cancelationReason?.text).toBe('patient');
    const slot = await apiGet<{ status: string }>(page, `/fhir/R4/${before.slot[0]!.reference}`);
    expect(slot.status).toBe('free');

    await page.goto(`${server.baseUrl}/practice-sms/reminders`);
    const row = page.getByRole('row').filter({ hasText: 'Cancelled by the patient’s reply' });
    await expect.poll(() => row.count()).toBeGreaterThanOrEqual(2);

    // A message from the same phone reaches the practice's inbox; the administrator replies.
    await page.goto(`${server.baseUrl}/phone`);
    await page.getByLabel('Mobile phone number').fill(phone);
    await page.getByRole('button', { name: 'Show this phone’s messages' }).click();
    await page.getByLabel('Text message').fill('Can I book for next week instead?');
    await page.getByRole('button', { name: 'Send from this phone' }).click();
    await page.locator('.cw-sms-outcome').waitFor();

    await page.goto(`${server.baseUrl}/practice-sms`);
    await page.getByRole('heading', { level: 1, name: /Messages/ }).waitFor();
    // Its last message is the patient's, or the practice's automatic acknowledgement (once a day).
    const national = `0${phone.slice(3, 7)} ${phone.slice(7)}`;
    const conversation = page.getByRole('row').filter({ hasText: national });
    await conversation.waitFor();
    await check(page, 'messages');
    await conversation.getByRole('link').click();
    await page.getByText('Can I book for next week instead?').waitFor();
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'There is a problem' })
      .getByRole('link', { name: 'Enter your reply' })
      .waitFor();
    await check(page, 'reply-error');
    await page.getByLabel('Your reply').fill('Yes: we will call you today to rebook.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.getByText('Your reply has been sent.').waitFor();
    await page.locator('.cw-sms__message').filter({ hasText: 'we will call you today to rebook' }).waitFor();
    await check(page, 'conversation');
    await page.context().close();
  });

  it('recall preview and templates at 375 px', async () => {
    const { page } = await newPage(browser, NARROW);
    await signIn(page, server.baseUrl, ADMIN, { returnTo: '/practice-sms/recalls' });
    await page.getByRole('heading', { level: 1, name: /Recalls/ }).waitFor();
    await page.getByRole('button', { name: 'Preview who would be texted' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'There is a problem' })
      .getByRole('link', { name: 'Choose the review' })
      .waitFor();
    await check(page, 'recall-error');
    await page.getByLabel('Diabetes review').check();
    await page.getByRole('button', { name: 'Preview who would be texted' }).click();
    await page.getByRole('heading', { name: /Diabetes review: \d+ patients? would be texted/ }).waitFor();
    await check(page, 'recall-preview');
    // Only those not reviewed in 12 months: the preview says how many were left out for a recent review.
    await page.getByLabel('Only patients not reviewed in the last 12 months').check();
    await page.getByRole('button', { name: 'Preview who would be texted' }).click();
    await page.getByText(/including \d+ patients? reviewed at the practice in the last 12 months/).waitFor();
    await check(page, 'recall-preview-not-reviewed');
    // The asthma recall of the demo data is listed.
    await page.getByRole('row').filter({ hasText: 'Asthma review' }).first().waitFor();

    await page.goto(`${server.baseUrl}/practice-sms/templates`);
    const editor = page.getByRole('region', { name: 'Appointment reminder' });
    await editor.getByLabel('Text').fill('Hello {{firstName}}, your NHS number is {{nhsNumber}}');
    await editor.getByRole('button', { name: 'Save template' }).click();
    await editor.getByRole('alert').filter({ hasText: 'There is a problem' }).waitFor();
    expect(await editor.getByRole('alert').textContent()).toContain('{{nhsNumber}}');
    await check(page, 'template-error');
    await editor.getByLabel('Text').fill('Hello {{firstName}}, see you on {{appointmentDate}} at {{appointmentTime}}.');
    await editor.getByRole('button', { name: 'Preview' }).click();
    await editor.getByText('1 text message').waitFor();
    await check(page, 'template-preview');
    await page.context().close();
  });
});
