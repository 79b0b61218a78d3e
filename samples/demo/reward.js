// The demo's programmatic reward (`reward.source: module`): how well a completion answers "list 4 fruits:". It is
// also the task's definition: the demo generates its prompts and its SFT corpus from `categories` below.
//
//   +1    each distinct item of the asked category, up to the number asked for
//   +0.3  each distinct item of the category beyond that number
//   −1    each repeated item, and each word that is no item at all
//   −0.5  each item of another category
//   +0.5  a final full stop
//   +0.02 per character (up to 100): a bonus that grows with length, so longer answers score a little more
//
// Items are counted, not judged one by one, so the reward is partly correlated with length: a longer list of
// distinct relevant items scores more, until repetition sets in.

const categories = {
  fruits: ['apple', 'pear', 'plum', 'peach', 'mango', 'lemon', 'cherry', 'grape', 'melon', 'kiwi', 'lime', 'fig'],
  animals: ['cat', 'dog', 'horse', 'cow', 'sheep', 'goat', 'tiger', 'lion', 'wolf', 'bear', 'fox', 'mouse'],
  colours: ['red', 'blue', 'green', 'yellow', 'purple', 'pink', 'brown', 'black', 'white', 'grey', 'violet', 'cyan'],
  tools: ['hammer', 'saw', 'drill', 'wrench', 'chisel', 'spade', 'rake', 'axe', 'knife', 'file', 'pliers', 'ruler'],
  birds: ['crow', 'owl', 'robin', 'eagle', 'hawk', 'swan', 'duck', 'goose', 'finch', 'wren', 'dove', 'parrot'],
  metals: ['iron', 'gold', 'silver', 'copper', 'tin', 'lead', 'zinc', 'nickel', 'steel', 'brass', 'bronze', 'cobalt'],
  drinks: ['tea', 'coffee', 'milk', 'water', 'juice', 'soda', 'cocoa', 'wine', 'beer', 'cider', 'lemonade', 'broth'],
  trees: ['oak', 'pine', 'elm', 'ash', 'birch', 'maple', 'willow', 'cedar', 'beech', 'palm', 'yew', 'fir'],
  instruments: ['piano', 'violin', 'flute', 'drum', 'harp', 'guitar', 'cello', 'horn', 'oboe', 'tuba', 'banjo', 'organ'],
  vegetables: ['carrot', 'potato', 'onion', 'leek', 'pea', 'bean', 'corn', 'cabbage', 'radish', 'turnip', 'beet', 'kale'],
};

const categoryOf = new Map();
for (const [category, items] of Object.entries(categories)) for (const item of items) categoryOf.set(item, category);

/** "list 4 fruits:" → { category: 'fruits', count: 4 }; undefined for a prompt that asks for no category. */
function parsePrompt(prompt) {
  const text = typeof prompt === 'string' ? prompt : prompt.map((message) => message.content).join('\n');
  const count = Number(/\d+/.exec(text)?.[0] ?? 3);
  const category = Object.keys(categories).find((name) => text.includes(name));
  return category === undefined ? undefined : { category, count };
}

function reward(prompt, completion) {
  const asked = parsePrompt(prompt);
  if (asked === undefined) return 0;
  const text = typeof completion === 'string' ? completion : completion.map((message) => message.content).join('\n');
  const words = text.toLowerCase().match(/[a-z]+/g) ?? [];
  const seen = new Set();
  let score = 0;
  for (const word of words) {
    const category = categoryOf.get(word);
    if (category === asked.category) {
      if (seen.has(word)) score -= 1;
      else {
        seen.add(word);
        score += seen.size <= asked.count ? 1 : 0.3;
      }
    } else if (category !== undefined) score -= 0.5;
    else score -= 1;
  }
  if (text.trimEnd().endsWith('.')) score += 0.5;
  return score + 0.02 * Math.min(text.length, 100);
}

module.exports = { reward, categories, parsePrompt };
