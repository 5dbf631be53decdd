// The workflows the payment worker registers (bundled from this file).
export { authorizePayment } from './authorize-payment';
