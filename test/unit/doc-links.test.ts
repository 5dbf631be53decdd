import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const docs = [
  'README.md',
  ...fs
    .readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Every markdown link target in a file that is not a URL or an anchor in the same file. */
function relativeLinks(text: string): string[] {
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!.split('#')[0]!)
    .filter((target) => target !== '' && !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

describe('README and docs links', () => {
  for (const doc of docs) {
    it(`${doc}: every relative link points to a file or folder of this repository`, () => {
      const text = fs.readFileSync(path.join(root, doc), 'utf8');
      const broken = relativeLinks(text).filter((target) => {
        const file = path.resolve(root, path.dirname(doc), decodeURI(target));
        return !file.startsWith(root + path.sep) || !fs.existsSync(file);
      });
      assert.deepEqual(broken, [], `${doc} links to what does not exist`);
    });
  }
});
