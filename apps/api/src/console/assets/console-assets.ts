import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

/** Where `npm run build` writes the console (console/vite.config.mts): dist/console. */
export function consoleAssetCandidates(): string[] {
  return [
    // The built api runs as dist/apps/api/main.js (webpack keeps the real __dirname), in the repo and in the image.
    resolve(__dirname, '..', '..', 'console'),
    // The api run from its TypeScript sources (e2e tests, ts-node), from the repository root.
    resolve(process.cwd(), 'dist', 'console'),
  ];
}

/**
 * The built console: a fixed map from URL path (relative to /console/) to file, read once at start-up.
 * Only files listed here are ever sent, so no request path can reach outside the folder.
 */
export class ConsoleAssets {
  private constructor(
    readonly root: string | null,
    private readonly files: ReadonlyMap<string, string>,
  ) {}

  static load(candidates: string[] = consoleAssetCandidates()): ConsoleAssets {
    const root = candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
    const files = new Map<string, string>();
    if (root) for (const file of listFiles(root)) files.set(relative(root, file).split(sep).join('/'), file);
    return new ConsoleAssets(root, files);
  }

  get built(): boolean {
    return this.root !== null;
  }

  get indexHtml(): string | undefined {
    return this.files.get('index.html');
  }

  file(relativePath: string): string | undefined {
    return this.files.get(relativePath);
  }
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}
