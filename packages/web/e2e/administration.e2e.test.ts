import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectScreenOk, launchBrowser, newPage, PHONE, signIn } from './support/browser.ts';
import { buildWebApp, startE2eServer, type E2eServer } from './support/server.ts';

/**
 * The administrator (issue 10, item 5): demo.admin lands on their own home page, not on staff work;
 * finds accounts; adds a member of staff with a one-time password and gives them a role; that person
 * signs in with it; locked, they cannot. Every screen is screenshotted and checked with axe-core.
 */
let server: E2eServer;
let browser: Browser;
let closeBrowser: () => Promise<void>;

beforeAll(async () => {
  buildWebApp();
  [server, { browser, close: closeBrowser }] = await Promise.all([startE2eServer(20), launchBrowser()]);
});

afterAll(async () => {
  await closeBrowser?.();
  await server?.stop();
});

const check = (page: Page, name: string): Promise<void> => expectScreenOk(page, `admin-${name}`);

async function asAdmin(viewport?: typeof PHONE): Promise<Page> {
  const { page } = await newPage(browser, viewport);
  await signIn(page, server.baseUrl, 'demo.admin');
  return page;
}

describe('administration', () => {
  it('lands the administrator on their own home page, with no staff work and no records', async () => {
    const page = await asAdmin();
    await page.waitForURL(/\/admin$/);
    await page.getByRole('heading', { level: 1, name: /Administration/ }).waitFor();
    const header = page.getByRole('banner');
    for (const link of ['Users', 'Organisations', 'Apps and systems']) {
      await header.getByRole('link', { name: link }).waitFor({ state: 'attached' });
    }
    expect(await header.getByRole('link', { name: 'Find a patient' }).count()).toBe(0);
    // The card's count is in its link's name for screen readers ("Users: 18 accounts").
    await page.getByRole('link', { name: /^Users\W+\d+ accounts$/ }).waitFor();
    await check(page, 'home');

    // A staff page is refused plainly, not a failed search.
    await page.goto(`${server.baseUrl}/find`);
    await page.getByText(/only for health and care staff/).waitFor();
    await page.close();
  });

  it('finds accounts by name and status, and lists organisations and apps', async () => {
    const page = await asAdmin();
    await page.goto(`${server.baseUrl}/admin/users`);
    const rows = page.locator('tbody tr');
    await rows.first().waitFor();
    const all = await rows.count();
    expect(all).toBeGreaterThan(10);
    await page.getByLabel('Name, username, e-mail or NHS number').fill('demo.nurse');
    await page.waitForURL(/q=demo.nurse/);
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toMatch(/Staff.*Nurse at/);
    await check(page, 'users-filtered');
    await page.getByLabel('Name, username, e-mail or NHS number').fill('');
    await page.getByRole('search').getByLabel('Account').selectOption('Patient');
    await expect.poll(() => rows.count()).toBeLessThan(all);
    for (const row of await rows.all()) {
      expect(await row.textContent()).toContain('Patient');
    }

    await page.goto(`${server.baseUrl}/admin/organisations`);
    await page.getByRole('table').waitFor();
    expect(await page.locator('tbody tr').count()).toBeGreaterThan(3);
    await page.getByRole('button', { name: 'Add organisation' }).click();
    await page.getByRole('link', { name: 'Enter the organisation’s name' }).waitFor();
    await check(page, 'organisations-errors');

    await page.goto(`${server.baseUrl}/admin/apps`);
    await page.getByRole('heading', { level: 2, name: 'Connected systems' }).waitFor();
    await page.locator('.cw-loading').first().waitFor({ state: 'detached' });
    await check(page, 'apps');
    await page.close();
  });

  it('adds a member of staff who signs in with the one-time password; locked, they cannot', async () => {
    const page = await asAdmin();
    await page.goto(`${server.baseUrl}/admin/users/new`);
    await page.getByRole('button', { name: 'Add user' }).click();
    const summary = page.getByRole('alert').filter({ hasText: 'There is a problem' });
    await summary.getByRole('link', { name: 'Enter a username' }).waitFor();
    await check(page, 'new-user-errors');

    await page.getByLabel('Username').fill('locum.reception');
    await page.getByLabel('Full name').fill('Rachel Hughes');
    await page.getByLabel('Member of staff').check();
    await page.getByLabel('Practitioner id in the record').fill('prac-demo-reception');
    await page.getByLabel('Make a one-time password now').check();
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.getByRole('heading', { level: 1, name: 'Account added' }).waitFor();
    const password = (await page.locator('.cw-one-time-password').textContent()) ?? '';
    expect(password.length).toBeGreaterThanOrEqual(12);
    await check(page, 'new-user-added');

    await page.getByRole('link', { name: 'Give them a role' }).click();
    await page.getByRole('heading', { level: 1, name: /Rachel Hughes/ }).waitFor();
    await page.getByText(/No roles yet/).waitFor();
    await page.getByLabel('Organisation').selectOption({ index: 1 });
    await page.getByLabel('Role (national RBAC)').selectOption('R8010');
    await page.getByRole('button', { name: 'Add role' }).click();
    await page
      .getByRole('listitem')
      .filter({ hasText: /^Clerical at / })
      .waitFor();
    await check(page, 'user-with-role');

    // The new account signs in with the password it was given, as staff.
    const { page: locum, context } = await newPage(browser);
    await signIn(locum, server.baseUrl, 'locum.reception', { password });
    await locum.waitForURL(/\/home$/);
    await locum
      .getByRole('banner')
      .getByText(/Rachel Hughes.*Clerical/)
      .waitFor();
    await context.close();

    // Locked, the next sign-in is refused (with the one answer that says nothing about the account).
    await page.getByRole('button', { name: 'Lock account' }).click();
    await page.getByText('Locked by an administrator').waitFor();
    await check(page, 'user-locked');
    const { page: again, context: againContext } = await newPage(browser);
    await again.goto(`${server.baseUrl}/sign-in`);
    await again.getByRole('button', { name: 'Sign in' }).click();
    await again.waitForURL(/\/auth\//);
    await again.locator('#username').fill('locum.reception');
    await again.locator('#password').fill(password);
    await again.locator('form button[type=submit]').click();
    await again.getByText(/Enter a correct username and password/).waitFor();
    await againContext.close();

    await page.getByRole('button', { name: 'Unlock account' }).click();
    await page.getByRole('button', { name: 'Lock account' }).waitFor();
    await page.close();
  });

  it('fits a phone: the administrator’s pages at 390 px', async () => {
    const page = await asAdmin(PHONE);
    await page.goto(`${server.baseUrl}/admin/users`);
    await page.locator('tbody tr').first().waitFor();
    await check(page, 'users-phone');
    await page.goto(`${server.baseUrl}/admin/users/demo.gp`);
    await page.getByRole('heading', { level: 2, name: 'Roles' }).waitFor();
    await check(page, 'user-phone');
    await page.close();
  });
});
