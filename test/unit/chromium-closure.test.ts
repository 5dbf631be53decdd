/**
 * Which Debian packages the browser tests fetch: chromium's dependency closure as apt-cache prints it, less
 * what the machine has. Alternatives and virtual packages count as met by any installed member.
 */
import assert from 'node:assert/strict';
import { packagesToFetch, parseAptDepends } from '../../tools/stack/chromium';

// The shape of `apt-cache depends --recurse --no-recommends ... chromium`, cut down.
const DEPENDS = `chromium
  Depends: libc6
  Depends: libfontconfig1
  Depends: <libgcc1>
 |Depends: libgtk-3-0
  Depends: libgtk-4-1
  PreDepends: chromium-common
  Depends: <perl:any>
    perl
libc6
libfontconfig1
  Depends: fontconfig-config
fontconfig-config
 |Depends: fonts-dejavu-core
 |Depends: ttf-bitstream-vera
  Depends: <ttf-font>
    fonts-liberation
    fonts-freefont-ttf
libgtk-3-0
  Depends: libgtk-3-common
 |Depends: dconf-gsettings-backend
  Depends: <gsettings-backend>
    dconf-gsettings-backend
    gconf-gsettings-backend
libgtk-3-common
libgtk-4-1
  Depends: libkf5-everything
chromium-common
  Depends: xdg-utils
xdg-utils
fonts-dejavu-core
ttf-bitstream-vera
fonts-liberation
fonts-freefont-ttf
dconf-gsettings-backend
gconf-gsettings-backend
perl
<libgcc1>
<perl:any>
<ttf-font>
<gsettings-backend>
`;

describe('the Debian packages fetched for chromium (tools/stack/chromium.ts)', () => {
  const depends = parseAptDepends(DEPENDS);

  it('reads `|Depends:` lines as alternatives of the next line and `<virtual>` lines with their providers', () => {
    assert.deepEqual(depends.get('fontconfig-config'), [
      [
        { name: 'fonts-dejavu-core', providers: [] },
        { name: 'ttf-bitstream-vera', providers: [] },
        { name: 'ttf-font', providers: ['fonts-liberation', 'fonts-freefont-ttf'] },
      ],
    ]);
    assert.deepEqual(depends.get('chromium')?.at(-1), [{ name: 'perl', providers: ['perl'] }]);
    assert.ok(!depends.has('libgcc1'), 'a virtual package is no package to fetch');
  });

  it('fetches only what is missing, one alternative per group (the first), never the alternatives behind it', () => {
    const installed = new Set(['libc6', 'perl', 'libgcc1', 'dconf-gsettings-backend']);
    assert.deepEqual(packagesToFetch('chromium', depends, installed), [
      'chromium',
      'chromium-common',
      'fontconfig-config',
      'fonts-dejavu-core',
      'libfontconfig1',
      'libgtk-3-0',
      'libgtk-3-common',
      'xdg-utils',
    ]);
  });

  it('counts a group as met when any alternative or any provider of a virtual one is installed', () => {
    const installed = new Set(['libc6', 'perl', 'libgcc1', 'libgtk-4-1', 'fonts-freefont-ttf', 'chromium-common']);
    assert.deepEqual(packagesToFetch('chromium', depends, installed), ['chromium', 'fontconfig-config', 'libfontconfig1']);
  });
});
