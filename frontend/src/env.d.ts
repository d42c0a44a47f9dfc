/// <reference types="vite/client" />

// For tools that read .ts without Vue support (the ESLint project service); vue-tsc resolves the real files.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
