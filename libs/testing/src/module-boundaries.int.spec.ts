import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './infra';

/** Lints a snippet as if it were the given file, with the repository's ESLint config. */
function boundaryViolations(filePath: string, code: string): string[] {
  const eslint = join(repoRoot, 'node_modules', '.bin', 'eslint');
  const result = spawnSync(eslint, ['--stdin', '--stdin-filename', filePath, '--format', 'json'], {
    cwd: repoRoot,
    input: code,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false' },
  });
  const [report] = JSON.parse(result.stdout) as { messages: { ruleId: string | null; message: string }[] }[];
  return report.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

// Services talk only through events: the lint rule must refuse an app importing another app.
describe('Nx module boundaries', () => {
  it('refuses an app importing another app', () => {
    const code = "import { createLifecycleApp } from '../../lifecycle/src/app';\nexport const x = createLifecycleApp;\n";
    expect(boundaryViolations('apps/gateway/src/leak.ts', code)).not.toEqual([]);
  });

  it('refuses a library importing an app', () => {
    const code = "import { createLifecycleApp } from '../../../apps/lifecycle/src/app';\nexport const x = createLifecycleApp;\n";
    expect(boundaryViolations('libs/platform/src/leak.ts', code)).not.toEqual([]);
  });

  it('allows an app importing a shared library', () => {
    expect(boundaryViolations('apps/gateway/src/ok.ts', "import { Topics } from '@mlops/events';\nexport const x = Topics;\n")).toEqual([]);
  });
});
