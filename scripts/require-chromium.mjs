// Makes sure the browser tests have their browser: when Chromium is missing (and CHROMIUM_PATH is not set),
// installs Debian's package with apt-get (through sudo when not root), as .ci/run relies on. Debian's build
// ships SwiftShader, so WebGPU runs headless without a GPU. Where apt-get is missing or the install fails, it
// stops with the command to run by hand.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

function stop(why) {
  console.error(`${why} The browser tests need Chromium (Debian's package: WebGPU through SwiftShader).`);
  console.error('Install it with:\n\n  sudo apt-get update && sudo apt-get install -y chromium\n');
  console.error('(or set CHROMIUM_PATH to a Chromium/Chrome binary).');
  process.exit(1);
}

function onPath(command) {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

if (!existsSync(path)) {
  if (process.env.CHROMIUM_PATH) stop(`CHROMIUM_PATH points to ${path}, which does not exist.`);
  if (!onPath('apt-get')) stop(`Chromium was not found at ${path}, and there is no apt-get to install it.`);
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root && !onPath('sudo')) stop(`Chromium was not found at ${path}; installing it needs root or sudo.`);
  const run = (args) =>
    execFileSync(root ? args[0] : 'sudo', root ? args.slice(1) : args, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  console.log(`Chromium was not found at ${path}: installing Debian's chromium package (apt-get).`);
  try {
    run(['apt-get', 'update', '-qq']);
    run(['apt-get', 'install', '-y', '-qq', 'chromium']);
  } catch {
    stop('Installing Chromium with apt-get failed.');
  }
  if (!existsSync(path)) stop(`apt-get finished, but there is still no Chromium at ${path}.`);
}
