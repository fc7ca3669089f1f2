import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppConfig } from '@app/config';
import { SecretCipher, TenantLimitsRepository, WebhookSecretResealer } from '@app/persistence';
import { CreateApiTokenUseCase } from './auth/usecases/create-api-token/create-api-token.usecase';
import { ListApiTokensUseCase } from './auth/usecases/list-api-tokens/list-api-tokens.usecase';
import { RevokeApiTokenUseCase } from './auth/usecases/revoke-api-token/revoke-api-token.usecase';
import { CliModule } from './cli/cli.module';
import { isDeadLettersCommand } from './cli/dead-letters/dead-letters-command';
import { runDeadLetters } from './cli/dead-letters/run-dead-letters';
import { CLI_USAGE, CliCommand, parseCliArgs } from './cli/parse-cli-args';
import { reencryptSecrets } from './cli/reencrypt-secrets';
import { setTenantLimits } from './cli/tenant-limits-command';
import { tokenTable } from './cli/token-table';

/**
 * Operator commands, run from the TypeScript source (`npm run cli -- ...`) because the webpack build
 * bundles main.ts only. Output goes to stdout; the token is always the last line, for scripts.
 */
async function main(argv: string[]): Promise<number> {
  const command = parseCliArgs(argv);
  if (command.kind === 'help') {
    console.log(CLI_USAGE);
    return 0;
  }
  if (command.kind === 'invalid') {
    console.error(`${command.reason}\n\n${CLI_USAGE}`);
    return 2;
  }
  // Kafka only, no MongoDB: a context of their own.
  if (isDeadLettersCommand(command)) return runDeadLetters(command, console.log);
  const app = await NestFactory.createApplicationContext(CliModule, { logger: ['error', 'warn'] });
  try {
    if (command.kind === 'reencrypt-secrets') {
      return await reencryptSecrets(app.get(WebhookSecretResealer), app.get(SecretCipher), command, console.log);
    }
    if (command.kind === 'set-tenant-limits') {
      return await setTenantLimits(app.get(TenantLimitsRepository), app.get(AppConfig), command, console.log);
    }
    if (command.kind === 'list-tokens') {
      const tokens = await app.get(ListApiTokensUseCase).execute(command);
      console.log(command.json ? JSON.stringify(tokens, null, 2) : tokenTable(tokens));
      return 0;
    }
    return await run(app.get(CreateApiTokenUseCase), app.get(RevokeApiTokenUseCase), command);
  } finally {
    await app.close();
  }
}

async function run(
  createToken: CreateApiTokenUseCase,
  revokeToken: RevokeApiTokenUseCase,
  command: Extract<CliCommand, { kind: 'create-token' | 'revoke-token' }>,
): Promise<number> {
  if (command.kind === 'create-token') {
    const created = await createToken.execute(command);
    const expiry = created.expiresAt ? `expires ${created.expiresAt.toISOString()}` : 'never expires';
    console.log(
      `Created token ${created.tokenId} ("${created.name}") for tenant ${created.tenantId}: ${created.scope} scope, ${expiry}.`,
    );
    console.log('Store it now: it cannot be shown again.');
    console.log(created.token);
    return 0;
  }
  const outcome = await revokeToken.execute({ tokenId: command.tokenId });
  const messages = {
    revoked: `Revoked token ${command.tokenId}.`,
    already_revoked: `Token ${command.tokenId} was already revoked.`,
    not_found: `No token ${command.tokenId}.`,
  };
  console.log(messages[outcome]);
  return outcome === 'not_found' ? 1 : 0;
}

/**
 * Exits once stdout has taken everything written: exiting at once cut a long `dead-letters list` read
 * through a pipe at 132 KB of its 1.5 MB (its newest letters come last).
 */
function exitAfterOutput(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => process.exit(code));
}

main(process.argv.slice(2)).then(exitAfterOutput, (error: Error) => {
  console.error(error.message);
  exitAfterOutput(1);
});
