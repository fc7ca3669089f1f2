import { Logger, Provider } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { SecretCipher } from './secret-cipher';
import { loadSecretKeyRing } from './secret-key-ring';

/** The key ring is read (and in development generated) once per process, at start-up. */
export const secretCipherProvider: Provider = {
  provide: SecretCipher,
  inject: [AppConfig],
  useFactory: (config: AppConfig) =>
    new SecretCipher(
      loadSecretKeyRing(
        {
          NODE_ENV: config.get('NODE_ENV'),
          SECRETS_ENCRYPTION_KEY: config.get('SECRETS_ENCRYPTION_KEY'),
          SECRETS_ENCRYPTION_KEY_FILE: config.get('SECRETS_ENCRYPTION_KEY_FILE'),
          SECRETS_DECRYPTION_KEYS: config.get('SECRETS_DECRYPTION_KEYS'),
          SECRETS_DECRYPTION_KEYS_FILE: config.get('SECRETS_DECRYPTION_KEYS_FILE'),
        },
        (path) =>
          new Logger(SecretCipher.name).warn(
            `Generated a ${config.get('NODE_ENV')} key for webhook secrets at rest in ${path}; ` +
              'production needs SECRETS_ENCRYPTION_KEY or SECRETS_ENCRYPTION_KEY_FILE',
          ),
      ),
    ),
};
