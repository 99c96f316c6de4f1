// Lint that guards the architecture: besides correctness rules, it keeps the paths that can skip
// the product filter (raw SQL, the QueryBuilder, `filters: false`) inside a few reviewed files.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const FILTER_BYPASS = [
  { selector: "CallExpression[callee.property.name=/^(createQueryBuilder|qb|getKnex|execute|raw)$/]", message: 'Raw SQL and the QueryBuilder skip the product filter: keep them in reviewed files (see eslint.config.mjs).' },
  { selector: "Property[key.name='filters'][value.value=false]", message: '`filters: false` is not allowed outside reviewed files.' },
];

// Reviewed places that may use raw SQL or the QueryBuilder (RLS still binds them).
const REVIEWED = [
  'src/health/health.service.ts',
  'src/database/**',
  'src/tenancy/**',
  'src/faq/faq-search.repository.ts',
  'src/faq/faq-analytics.repository.ts',
  // The capped count of every list: a QueryBuilder subquery with applyFilters(), so the same filters as em.find.
  'src/common/pagination.ts',
  // Token totals per day/user for budgets and the usage report, and message counts per conversation page.
  'src/llm/llm.repository.ts',
  // Plain-row reads for hot public routes: a QueryBuilder with applyFilters(), so the same filters as em.find.
  'src/common/lean-read.ts',
  // The registry rows are not entities (owner-written, RLS shows the runtime role its own product's only).
  'src/products/product-registry.service.ts',
  // The operator CLI: owner connection for the registry, runtime-role connections for a product's rows.
  'src/products/cli/**',
  // Retention and erasure: set-based deletes/rewrites across tables (RLS binds them to the product).
  'src/products/retention.service.ts',
  'src/users/user-erasure.ts',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.data/**', '.scratch/**', 'jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      curly: ['error', 'all'],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/unbound-method': 'off',
      'no-restricted-syntax': ['error', ...FILTER_BYPASS],
    },
  },
  { files: REVIEWED, rules: { 'no-restricted-syntax': 'off' } },
  {
    // Plain ES modules run by Node (the embedded PostgreSQL launcher, Jest setup, bench, scripts):
    // linted with the same correctness rules, without type information (they are not in tsconfig).
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node, sourceType: 'module' },
  },
  {
    // Tests try the bypass paths on purpose (to prove RLS and the guard close them).
    files: ['test/**/*.ts', '**/*.spec.ts', 'bench/**/*.ts', 'bench/**/*.mjs'],
    rules: {
      'no-restricted-syntax': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
