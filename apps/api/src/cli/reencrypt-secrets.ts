import { ResealProgress, SecretCipher, WebhookSecretResealer } from '@app/persistence';

/**
 * `secrets reencrypt`: moves every webhook secret (and any plaintext left from before encryption) under the
 * current key, batch by batch, printing where it got to. The running apps open both the old and the new key
 * meanwhile; stopped at any point, it can run again from the start or from `--after` the last id printed.
 */
export async function reencryptSecrets(
  resealer: WebhookSecretResealer,
  cipher: SecretCipher,
  options: { batchSize: number; after?: string },
  print: (line: string) => void,
): Promise<number> {
  const currentKey = cipher.currentKeyId;
  print(`Re-encrypting webhook secrets under key ${currentKey} (readable keys: ${cipher.keys.ids.join(', ')}).`);
  const done = await resealer.resealAll('all', {
    batchSize: options.batchSize,
    after: options.after,
    onBatch: (progress) => print(`  ${summary(progress)}, last webhook ${progress.lastId}`),
  });
  print(`Done: ${summary(done)}.`);
  for (const { webhookId, reason } of done.unreadable) print(`  webhook ${webhookId} left as it is: ${reason}`);
  if (done.unreadable.length > 0 || done.skipped > 0) {
    print('Some webhooks were not re-encrypted (see above); fix the cause and run this again.');
    return 1;
  }
  if (done.resealed > 0) print(`Run it again once every process uses key ${currentKey}: it should find nothing to do.`);
  else print(`Every webhook secret is under key ${currentKey}; older keys can be retired.`);
  return 0;
}

function summary({ scanned, resealed, unreadable, skipped }: ResealProgress): string {
  const problems = [
    unreadable.length > 0 ? `${unreadable.length} unreadable` : '',
    skipped > 0 ? `${skipped} changing too often to take` : '',
  ].filter(Boolean);
  return `scanned ${scanned} webhook(s), re-encrypted ${resealed}${problems.length ? `, ${problems.join(', ')}` : ''}`;
}
