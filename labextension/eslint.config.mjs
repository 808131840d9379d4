// The front end's lint: typescript-eslint's strict rules with the type-aware
// checks that catch real bugs (a promise nobody awaits, a promise passed where
// a callback is expected), React's hook rules, and prettier owning the layout.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['lib/', 'node_modules/', 'src/generated/', '../forgather_lab/', 'scripts/']
  },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    files: ['src/**/*.{ts,tsx}'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname }
    },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { attributes: false } }
      ],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }
      ],
      // Lumino's idiom: command ids and helpers grouped in a namespace.
      '@typescript-eslint/no-namespace': 'off',
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      eqeqeq: ['error', 'smart'],
      'no-console': ['error', { allow: ['warn', 'error'] }],
      curly: 'error'
    }
  },
  {
    // The widget bundle runs in any anywidget host: nothing of JupyterLab.
    files: ['src/widgets/**/*.ts', 'src/client/**/*.ts', 'src/views/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@jupyterlab/*'], message: 'shared with the widgets: no JupyterLab' }
          ]
        }
      ]
    }
  },
  prettier
);
