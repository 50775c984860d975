// <mail-setup> in React's JSX (React 19 passes properties to custom elements it knows):
// `import type {} from 'mailsetup/react';` once in the app.
import type { MailSetupAttributes } from './element.js';

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'mail-setup': MailSetupAttributes;
    }
  }
}
