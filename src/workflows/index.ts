export { stackCheck } from './stack-check.js';
