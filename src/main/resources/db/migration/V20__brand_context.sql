-- Brand DNA, versioned: every change is a new row; the current brand context is the highest version.
-- Rows are never updated or deleted, so the table is also the audit trail (who, when, how).
CREATE TABLE brand_context_version (
    version     INTEGER PRIMARY KEY CHECK (version > 0),
    document    JSONB NOT NULL,
    change_kind TEXT NOT NULL CHECK (change_kind IN ('seed', 'replace', 'patch')),
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    comment     TEXT
);

-- The SkyyRose brand as initial data (version 1).
INSERT INTO brand_context_version (version, document, change_kind, created_by, comment) VALUES (1, $json$
{
  "name": "SkyyRose",
  "tagline": "Where Love Meets Luxury",
  "philosophy": "SkyyRose is Oakland luxury streetwear: garments made with couture-level care for people who wear their heart openly. Every piece balances softness and strength, romance and edge, and is produced in small, numbered runs so it stays personal.",
  "location": "Oakland, California",
  "tone": {
    "primary": "confident, romantic and street-smart",
    "descriptors": ["bold", "romantic", "elevated", "authentic", "warm"],
    "avoid": ["cheap", "basic", "discount", "knockoff", "hype"]
  },
  "colors": [
    {"name": "Rose Gold", "hex": "#B76E79"},
    {"name": "Midnight Black", "hex": "#0A0A0A"},
    {"name": "Pearl White", "hex": "#F8F6F0"},
    {"name": "Crimson", "hex": "#9B111E"},
    {"name": "Silver", "hex": "#C0C0C0"}
  ],
  "typography": {"headings": "Playfair Display", "body": "Inter", "accent": "Bebas Neue"},
  "audience": "Style-driven adults aged 21 to 40 in urban centres who treat streetwear as self-expression and will invest in limited, well-made pieces with a story.",
  "product_types": ["hoodies", "joggers", "tees", "jackets", "bombers", "shorts", "accessories"],
  "collections": [
    {
      "name": "Black Rose",
      "tagline": "Beauty in the dark",
      "mood": "gothic, mysterious, elegant",
      "colors": ["Midnight Black", "Silver", "Crimson"],
      "description": "Dark luxury: black-on-black embroidery, silver hardware and a single crimson rose. Limited numbered drops."
    },
    {
      "name": "Love Hurts",
      "tagline": "Wear your heart out loud",
      "mood": "passionate, raw, romantic",
      "colors": ["Crimson", "Rose Gold", "Midnight Black"],
      "description": "Emotional, heart-forward pieces: distressed details, thorned hearts and hand-finished crimson graphics."
    },
    {
      "name": "Signature",
      "tagline": "The essentials, elevated",
      "mood": "clean, timeless, refined",
      "colors": ["Pearl White", "Rose Gold", "Midnight Black"],
      "description": "Everyday foundations in heavyweight organic cotton with the rose-gold SkyyRose mark: the core of every wardrobe."
    }
  ],
  "policies": {
    "returns": "Unworn items with tags can be returned within 30 days of delivery for a full refund; limited numbered drops are final sale.",
    "shipping": "Free US shipping on orders over $150; standard delivery takes 3 to 7 business days; international shipping to 40 countries."
  }
}
$json$::jsonb, 'seed', 'system', 'SkyyRose brand DNA (initial seed)');
