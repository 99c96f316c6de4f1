import { readdirSync } from 'node:fs';
import { migrationsList } from './index';
import { MIGRATION_NAMES } from './names';

describe('MIGRATION_NAMES', () => {
  it('is the list of migrationsList, in its order (a start trusts it to decide there is nothing to run)', () => {
    expect([...MIGRATION_NAMES]).toEqual(migrationsList.map((migration) => migration.name));
  });

  it('names every migration file of the folder', () => {
    const files = readdirSync(__dirname)
      .filter((file) => /^Migration\d+_\w+\.ts$/.test(file))
      .map((file) => file.replace(/\.ts$/, ''))
      .sort();
    expect([...MIGRATION_NAMES].sort()).toEqual(files);
  });
});
