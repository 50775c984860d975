// The fixture for the connection check's specs, proved end to end without the component: the
// test mail servers (support/mail_servers.ts: a real Dovecot and Exim on 127.0.0.1) and a
// settings server whose check may reach them (`checkArgs`), the domain's settings saved through
// the API, then `POST /api/v1/connection-checks` as an admin with the right password and a
// wrong one. Nothing here talks to anything beyond 127.0.0.1, and no browser is opened.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test, expect } from '@playwright/test';
import { MailServers } from '../support/mail_servers';
import { SettingsServer, checkArgs } from '../support/settings_server';

/** The check's IMAP steps when a test message is asked for, in order (core/src/wire/check.rs). */
const ALL_STEPS = ['imap_connect', 'imap_login', 'smtp_connect', 'smtp_login', 'send_test_email', 'test_email_arrived'];

interface Step {
  step: string;
  state: string;
  problem?: { code: string; server_reply?: string };
}

let mail: MailServers | undefined;
let server: SettingsServer | undefined;

test.beforeEach(async () => {
  mail = await MailServers.launch();
  server = await SettingsServer.launch({ args: checkArgs(mail) });
  const domain = mail.user.split('@')[1];
  expect(domain).toBe('mail.test');
  const saved = await server.api('alice-admin', 'PUT', `/api/v1/email-domains/${domain}`, mail.entry(), {
    'If-None-Match': '*',
  });
  expect(saved.status, JSON.stringify(saved.json)).toBe(201);
});

test.afterEach(async () => {
  await server?.dispose();
  await mail?.dispose();
  server = undefined;
  mail = undefined;
});

/** Runs a check of the saved settings as an admin; answers the report (200 expected). */
async function check(body: Record<string, unknown>): Promise<{ outcome: string; steps: Step[] }> {
  const answer = await server!.api('alice-admin', 'POST', '/api/v1/connection-checks', body);
  expect(answer.status, JSON.stringify(answer.json)).toBe(200);
  return answer.json;
}

/** Every message file in the maildir's new/ and cur/, as text. */
function delivered(maildir: string): string[] {
  return ['new', 'cur'].flatMap((sub) => {
    const dir = path.join(maildir, sub);
    return fs.readdirSync(dir).map((name) => fs.readFileSync(path.join(dir, name), 'utf8'));
  });
}

test('the right password passes all six steps and the test message lands in the maildir', async () => {
  const report = await check({ email: mail!.user, password: mail!.password, send_test_email: true });
  const summary = JSON.stringify(report, null, 2);
  expect(report.outcome, summary).toBe('passed');
  expect(report.steps.map((step) => step.step)).toEqual(ALL_STEPS);
  for (const step of report.steps) expect(step.state, `${step.step}: ${summary}`).toBe('passed');
  expect(delivered(mail!.maildir).some((message) => message.includes('Check token:'))).toBe(true);
  expect(summary).not.toContain(mail!.password);
});

test('a wrong password fails at imap_login with check.login_failed', async () => {
  const report = await check({ email: mail!.user, password: 'wrong horse battery', send_test_email: true });
  const summary = JSON.stringify(report, null, 2);
  expect(report.outcome, summary).toBe('failed');
  const step = (name: string) => report.steps.find((s) => s.step === name);
  expect(step('imap_connect')?.state, summary).toBe('passed');
  expect(step('imap_login')?.state, summary).toBe('failed');
  expect(step('imap_login')?.problem?.code, summary).toBe('check.login_failed');
  expect(summary).not.toContain('wrong horse battery');
});
