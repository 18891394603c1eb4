import type { Command } from 'commander';
import type { UserSummary } from '../auth/admin.ts';
import { printTable, readStdinLine, runAdminCommand } from './admin-backend.ts';
import { ROLE_CODES, ROLE_NAMES } from '../auth/store.ts';
import { loadConfig } from '../config/config.ts';

const SERVER_OPTION = ['--server <url>', 'go through this running server’s admin API'] as const;

function printUser(user: UserSummary, password?: string): void {
  const lines = [
    `${user.username} (${user.id})`,
    `  status:   ${user.status}${user.lockedUntil ? ` until ${user.lockedUntil}` : ''}${user.admin ? ', administrator' : ''}`,
    `  record:   ${user.fhirUser ?? '(not linked)'}${user.nhsNumber ? ` (NHS number ${user.nhsNumber})` : ''}`,
    ...user.roles.map(
      (r) =>
        `  role:     ${r.role} ${ROLE_NAMES[r.role as keyof typeof ROLE_NAMES] ?? ''} at Organization/${r.organization}` +
        (r.practitionerRole ? ` (PractitionerRole/${r.practitionerRole})` : ''),
    ),
  ];
  if (password) {
    lines.push(`  password: ${password}   (shown once; give it to the person securely)`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function registerUserCommand(program: Command): void {
  const user = program.command('user').description('Sign-in accounts: staff, patients, carers and administrators');

  user
    .command('create <username>')
    .description('Create an account, linked to a Practitioner, a patient (by NHS number) or a RelatedPerson')
    .option('--email <email>', 'email address (can also be used to sign in)')
    .option('--name <name>', 'display name')
    .option('--practitioner <id>', 'staff: the Practitioner this person is')
    .option('--nhs-number <number>', 'patient: the Patient with this NHS number')
    .option('--related-person <id>', 'carer: the RelatedPerson this person is')
    .option('--admin', 'may use the admin API and these commands through a server')
    .option('--password-stdin', 'read the password from standard input (otherwise one is generated)')
    .option('--no-password', 'no password: signs in only through NHS CIS2 / NHS login')
    .option(...SERVER_OPTION)
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  careweave user create jsmith --practitioner prac-0001 --name "Dr Jo Smith"\n' +
        '  careweave user create jsmith --practitioner prac-0001 --password-stdin < password.txt\n' +
        '  careweave user create pat.jones --nhs-number 9434765919\n' +
        '  careweave user create carer.jones --related-person rp-123\n' +
        '  careweave user create ops --admin\n' +
        '\nThen give staff a role: careweave user add-role jsmith --org P81002 --role R8000\n',
    )
    .action(
      async (
        username: string,
        options: {
          email?: string;
          name?: string;
          practitioner?: string;
          nhsNumber?: string;
          relatedPerson?: string;
          admin?: boolean;
          passwordStdin?: boolean;
          password: boolean;
          server?: string;
        },
      ) => {
        const password = options.passwordStdin ? await readStdinLine() : undefined;
        await runAdminCommand(loadConfig(), 'user create', options.server, async (ops) => {
          const created = await ops.createUser({
            username,
            ...(options.email ? { email: options.email } : {}),
            ...(options.name ? { displayName: options.name } : {}),
            ...(options.practitioner ? { practitioner: options.practitioner } : {}),
            ...(options.nhsNumber ? { nhsNumber: options.nhsNumber } : {}),
            ...(options.relatedPerson ? { relatedPerson: options.relatedPerson } : {}),
            ...(options.admin ? { admin: true } : {}),
            ...(password !== undefined ? { password } : {}),
            generatePassword: password === undefined && options.password,
          });
          process.stdout.write('Created ');
          printUser(created.user, created.password);
        });
      },
    );

  user
    .command('list')
    .description('List accounts with their status and roles')
    .option('--json', 'print JSON')
    .option(...SERVER_OPTION)
    .addHelpText('after', '\nExamples:\n  careweave user list\n  careweave user list --json\n')
    .action(async (options: { json?: boolean; server?: string }) => {
      await runAdminCommand(loadConfig(), 'user list', options.server, async (ops) => {
        const users = await ops.listUsers();
        if (options.json) {
          process.stdout.write(`${JSON.stringify(users, null, 2)}\n`);
          return;
        }
        printTable(
          users.map((u) => ({
            username: u.username,
            status: u.status + (u.admin ? ' (admin)' : ''),
            record: u.fhirUser ?? '',
            roles: u.roles.map((r) => `${r.role}@${r.organization}`).join(', '),
          })),
          ['username', 'status', 'record', 'roles'],
        );
      });
    });

  user
    .command('add-role <username>')
    .description('Give a member of staff a role profile: an organisation and a national RBAC role')
    .requiredOption('--org <org>', 'organisation id or ODS code')
    .requiredOption('--role <code>', `RBAC role: ${ROLE_CODES.map((c) => `${c} ${ROLE_NAMES[c]}`).join(', ')}`)
    .option('--practitioner-role <id>', 'the PractitionerRole for this job, if there is one')
    .option(...SERVER_OPTION)
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  careweave user add-role jsmith --org P81002 --role R8000 --practitioner-role prrole-0001\n' +
        '  careweave user add-role sworker --org org-888 --role R8003\n' +
        '\nSomeone with several roles chooses one each time they sign in.\n',
    )
    .action(
      async (username: string, options: { org: string; role: string; practitionerRole?: string; server?: string }) => {
        await runAdminCommand(loadConfig(), 'user add-role', options.server, async (ops) => {
          printUser(
            await ops.addRole(username, {
              organization: options.org,
              role: options.role,
              ...(options.practitionerRole ? { practitionerRole: options.practitionerRole } : {}),
            }),
          );
        });
      },
    );

  user
    .command('lock <username>')
    .description('Lock an account: no sign-in and, within 30 seconds, no use of tokens already issued')
    .option(...SERVER_OPTION)
    .addHelpText('after', '\nExample:\n  careweave user lock jsmith\n')
    .action(async (username: string, options: { server?: string }) => {
      await runAdminCommand(loadConfig(), 'user lock', options.server, async (ops) =>
        printUser(await ops.lockUser(username)),
      );
    });

  user
    .command('unlock <username>')
    .description('Unlock an account locked by an administrator; also lifts throttling after failed sign-ins')
    .option(...SERVER_OPTION)
    .addHelpText('after', '\nExample:\n  careweave user unlock jsmith\n')
    .action(async (username: string, options: { server?: string }) => {
      await runAdminCommand(loadConfig(), 'user unlock', options.server, async (ops) =>
        printUser(await ops.unlockUser(username)),
      );
    });

  user
    .command('set-password <username>')
    .description('Set a new password (generated unless --password-stdin); also lifts throttling after failed sign-ins')
    .option('--password-stdin', 'read the password from standard input')
    .option(...SERVER_OPTION)
    .addHelpText(
      'after',
      '\nExamples:\n  careweave user set-password demo.gp\n  careweave user set-password jsmith --password-stdin < password.txt\n',
    )
    .action(async (username: string, options: { passwordStdin?: boolean; server?: string }) => {
      const password = options.passwordStdin ? await readStdinLine() : undefined;
      await runAdminCommand(loadConfig(), 'user set-password', options.server, async (ops) => {
        const result = await ops.setPassword(username, password);
        printUser(result.user, result.password);
      });
    });
}
