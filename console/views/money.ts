/** Amounts as the api sends them (integer minor units) shown in major units, by the same code the server uses. */
export { formatMinorUnits as money } from '../../contracts/money';
