// Words for generated memories, most-used first: benchmarks draw them with a skew (random()^2), so some words are
// common and most are rare, as in real notes, and full-text matching and ranking have real work to do.
export const VOCAB = (
  "prefers appointment morning haircut fade beard trim short sides afternoon saturday weekday friday monday colour " +
  "highlights allergic sensitive scalp shampoo products coffee tea water music quiet chatty daughter son wife husband " +
  "birthday anniversary wedding interview holiday travel football tennis running gym works nurse teacher engineer " +
  "lawyer student retired dog cat parking late early punctual cancels reschedules reminder whatsapp call email spanish " +
  "english french vip discount loyalty referral complaint compliment tip cash card invoice usual stylist alex sam " +
  "jordan kids cut clippers scissors number two three four taper undercut pompadour buzz layers bangs fringe " +
  "moustache goatee stubble razor hot towel wax gel pomade dandruff thinning grey natural blonde brunette red toner " +
  "bleach perm straighten curls waves volume long medium trial booking confirmed follow up callback voicemail " +
  "pregnant newborn moving new job promotion marathon surgery recovery knee back pain wheelchair access ramp " +
  "hearing aid speaks slowly prefers text avoid mondays lunch break after work before school pickup downtown suburb " +
  "neighbour recommended friend instagram google review five stars unhappy last time wait too long price " +
  "expensive package gift voucher christmas summer spring autumn winter rain umbrella bicycle car bus train " +
  "vegetarian chocolate biscuits sparkling espresso latte decaf oat milk sugar honey lemon mint ginger"
).split(" ");
