#include "cc/core/charset.h"

#include <errno.h>
#include <iconv.h>

#include <cstdint>
#include <cstring>
#include <map>

namespace tfdicom {
namespace {

constexpr unsigned char kEsc = 0x1B;
constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

// How a code element turns bytes into Unicode.
enum class Kind {
  kAscii,      // G0: bytes as ASCII (ISO 646 IRV, JIS X 0201 Roman as pydicom reads it)
  kLatin1,     // G1: ISO 8859-1 without iconv
  kKatakana,   // G1: JIS X 0201 half-width katakana, 0xA1-0xDF
  kIconv,      // G1 or stand-alone: a whole run through iconv under `iconv_name`
  kJisX0208,   // G0, two bytes 0x21-0x7E each: as EUC-JP (each byte | 0x80)
  kJisX0212,   // G0, two bytes 0x21-0x7E each: as EUC-JP (0x8F, each byte | 0x80)
  kUtf8,       // stand-alone: UTF-8, invalid sequences replaced
};

struct CodeElement {
  // Defined terms of (0008,0005) for this element, canonical (upper case,
  // no spaces, underscores or hyphens), separated by '|'.
  const char* terms;
  const char* escape;  // the escape sequence after ESC; nullptr: none
  bool g1;             // designated into G1 (bytes 0x80-0xFF), else G0
  bool stand_alone;    // no code extensions (PS3.3 Table C.12-5)
  Kind kind;
  const char* iconv_name;
};

// PS3.3 Tables C.12-2 to C.12-5. Index 0 is ASCII, the default G0; the
// default G1 (nothing declared) is kLatin1Default below.
constexpr CodeElement kElements[] = {
    {"|ISOIR6|ISO2022IR6|", "(B", false, false, Kind::kAscii, nullptr},
    {"", "(J", false, false, Kind::kAscii, nullptr},  // JIS X 0201 Roman
    {"|ISOIR13|ISO2022IR13|", ")I", true, false, Kind::kKatakana, nullptr},
    {"|ISOIR100|ISO2022IR100|", "-A", true, false, Kind::kLatin1, nullptr},
    {"|ISOIR101|ISO2022IR101|", "-B", true, false, Kind::kIconv, "ISO-8859-2"},
    {"|ISOIR109|ISO2022IR109|", "-C", true, false, Kind::kIconv, "ISO-8859-3"},
    {"|ISOIR110|ISO2022IR110|", "-D", true, false, Kind::kIconv, "ISO-8859-4"},
    {"|ISOIR144|ISO2022IR144|", "-L", true, false, Kind::kIconv, "ISO-8859-5"},
    {"|ISOIR127|ISO2022IR127|", "-G", true, false, Kind::kIconv, "ISO-8859-6"},
    {"|ISOIR126|ISO2022IR126|", "-F", true, false, Kind::kIconv, "ISO-8859-7"},
    {"|ISOIR138|ISO2022IR138|", "-H", true, false, Kind::kIconv, "ISO-8859-8"},
    {"|ISOIR148|ISO2022IR148|", "-M", true, false, Kind::kIconv, "ISO-8859-9"},
    {"|ISOIR203|ISO2022IR203|", "-b", true, false, Kind::kIconv, "ISO-8859-15"},
    {"|ISOIR166|ISO2022IR166|", "-T", true, false, Kind::kIconv, "TIS-620"},
    {"|ISO2022IR87|", "$B", false, false, Kind::kJisX0208, "EUC-JP"},
    {"", "$@", false, false, Kind::kJisX0208, "EUC-JP"},  // JIS C 6226-1978
    {"|ISO2022IR159|", "$(D", false, false, Kind::kJisX0212, "EUC-JP"},
    {"|ISO2022IR149|", "$)C", true, false, Kind::kIconv, "EUC-KR"},
    {"|ISO2022IR58|ISO202258|", "$)A", true, false, Kind::kIconv, "EUC-CN"},
    {"|ISOIR192|", nullptr, false, true, Kind::kUtf8, nullptr},
    {"|GB18030|", nullptr, false, true, Kind::kIconv, "GB18030"},
    {"|GBK|ISO2022GBK|", nullptr, false, true, Kind::kIconv, "GBK"},
};
constexpr int kNumElements = sizeof(kElements) / sizeof(kElements[0]);
constexpr int kLatin1Default = 3;  // the ISO 8859-1 row reads undeclared G1 bytes

std::string Canonical(std::string_view term) {
  std::string key;
  for (char c : term) {
    if (c == ' ' || c == '_' || c == '-') continue;
    key += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return key;
}

int FindTerm(std::string_view term) {
  const std::string key = "|" + Canonical(term) + "|";
  if (key == "||") return 0;
  for (int i = 0; i < kNumElements; ++i) {
    if (std::strstr(kElements[i].terms, key.c_str()) != nullptr) return i;
  }
  return -1;
}

// The element whose escape sequence starts at `rest` (just after ESC), and
// its length; -1 when none matches.
int MatchEscape(std::string_view rest, size_t* length) {
  for (int i = 0; i < kNumElements; ++i) {
    const char* escape = kElements[i].escape;
    if (escape == nullptr) continue;
    const size_t n = std::strlen(escape);
    if (rest.substr(0, n) == escape) {
      *length = n;
      return i;
    }
  }
  return -1;
}

bool IsDelimiter(unsigned char c, TextDelimiters delimiters) {
  switch (delimiters) {
    case TextDelimiters::kValues: return c == '\\';
    case TextDelimiters::kPersonName: return c == '\\' || c == '^' || c == '=';
    case TextDelimiters::kText: return c == '\r' || c == '\n' || c == '\f' || c == '\t';
  }
  return false;
}

void AppendCodePoint(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// iconv descriptors, opened once per thread and character set.
class IconvCache {
 public:
  ~IconvCache() {
    for (auto& [name, cd] : open_) {
      if (cd != reinterpret_cast<iconv_t>(-1)) iconv_close(cd);
    }
  }
  iconv_t Get(const char* name) {
    auto it = open_.find(name);
    if (it == open_.end()) it = open_.emplace(name, iconv_open("UTF-8", name)).first;
    return it->second;
  }

 private:
  std::map<std::string, iconv_t> open_;
};

// `in` from the character set `name` to UTF-8; a sequence iconv rejects
// becomes U+FFFD and decoding goes on after its first byte.
void AppendIconv(const char* name, std::string_view in, std::string* out) {
  thread_local IconvCache cache;
  iconv_t cd = cache.Get(name);
  if (cd == reinterpret_cast<iconv_t>(-1)) {  // not in this C library
    *out += Latin1ToUtf8(in);
    return;
  }
  iconv(cd, nullptr, nullptr, nullptr, nullptr);
  char* inp = const_cast<char*>(in.data());
  size_t in_left = in.size();
  char buffer[1024];
  while (in_left > 0) {
    char* outp = buffer;
    size_t out_left = sizeof(buffer);
    const size_t result = iconv(cd, &inp, &in_left, &outp, &out_left);
    out->append(buffer, outp - buffer);
    if (result != static_cast<size_t>(-1)) break;
    if (errno == E2BIG) continue;
    *out += kReplacement;  // EILSEQ or EINVAL (incomplete at the end)
    ++inp;
    --in_left;
    iconv(cd, nullptr, nullptr, nullptr, nullptr);
  }
  char* outp = buffer;  // flush any shift state
  size_t out_left = sizeof(buffer);
  iconv(cd, nullptr, nullptr, &outp, &out_left);
  out->append(buffer, outp - buffer);
}

void AppendKatakana(std::string_view in, std::string* out) {
  for (unsigned char c : in) {
    if (c < 0x80) {
      *out += static_cast<char>(c);
    } else if (c >= 0xA1 && c <= 0xDF) {
      AppendCodePoint(0xFF61 + (c - 0xA1), out);
    } else {
      *out += kReplacement;
    }
  }
}

// Decodes a run of bytes that one code element (or, for bytes below 0x80
// under a G1 element, ASCII) decodes.
void AppendRun(int element, std::string_view run, std::string* out) {
  if (run.empty()) return;
  const CodeElement& e = kElements[element];
  switch (e.kind) {
    case Kind::kAscii:
    case Kind::kLatin1: *out += Latin1ToUtf8(run); return;
    case Kind::kKatakana: AppendKatakana(run, out); return;
    case Kind::kUtf8: *out += SanitizeUtf8(run); return;
    case Kind::kIconv:
    case Kind::kJisX0208:
    case Kind::kJisX0212: AppendIconv(e.iconv_name, run, out); return;
  }
}

bool IsJisTwoByte(int element) {
  return kElements[element].kind == Kind::kJisX0208 ||
         kElements[element].kind == Kind::kJisX0212;
}

// Length of the valid UTF-8 sequence at the start of `s`, or 0 with
// `*bad` set to the number of bytes to replace.
size_t ValidSequence(std::string_view s, size_t* bad) {
  const auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char c = b(0);
  size_t need = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    need = 1;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 2;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 3;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    *bad = 1;
    return 0;
  }
  for (size_t i = 1; i <= need; ++i) {
    const unsigned char lower = i == 1 ? lo : 0x80, upper = i == 1 ? hi : 0xBF;
    if (i >= s.size() || b(i) < lower || b(i) > upper) {
      *bad = i;  // the maximal invalid prefix, as Python replaces it
      return 0;
    }
  }
  return need + 1;
}

}  // namespace

CharacterSet CharacterSet::FromTerms(const std::vector<std::string>& terms) {
  CharacterSet charset;
  if (terms.empty()) return charset;
  const int first = FindTerm(terms[0]);
  if (first < 0) return charset;  // unknown: the default repertoire
  const CodeElement& e = kElements[first];
  if (e.stand_alone) {
    charset.stand_alone_ = first;  // further values are not allowed; ignored
  } else if (e.g1) {
    charset.initial_g1_ = first;
    // ISO_IR 13 also makes JIS X 0201 Roman the initial G0 (read as ASCII).
  }
  // A multi-byte G0 set (IR 87, IR 159) cannot be the initial one: G0 stays
  // ASCII and the set is reached through its escape sequence.
  return charset;
}

std::string CharacterSet::Decode(std::string_view raw, TextDelimiters delimiters) const {
  if (IsAscii(raw)) return std::string(raw);
  std::string out;
  out.reserve(raw.size() + raw.size() / 2);
  if (stand_alone_ >= 0) {
    AppendRun(stand_alone_, raw, &out);
    return out;
  }
  int g0 = initial_g0_;
  int g1 = initial_g1_ == 0 ? kLatin1Default : initial_g1_;
  const int initial_g1 = g1;
  // Bytes wait in `run` while one element decodes them: the G1 element
  // (which also reads ASCII), or the G0 JIS set (as EUC-JP bytes).
  std::string run;
  int run_element = g1;
  const auto switch_run = [&](int element) {
    if (element == run_element) return;
    AppendRun(run_element, run, &out);
    run.clear();
    run_element = element;
  };
  for (size_t i = 0; i < raw.size();) {
    const unsigned char c = static_cast<unsigned char>(raw[i]);
    if (c == kEsc) {
      size_t length = 0;
      const int element = MatchEscape(raw.substr(i + 1), &length);
      if (element >= 0) {
        (kElements[element].g1 ? g1 : g0) = element;
        i += 1 + length;
        continue;
      }
    }
    if (IsJisTwoByte(g0) && c >= 0x21 && c <= 0x7E) {
      switch_run(g0);
      const unsigned char next = i + 1 < raw.size() ? static_cast<unsigned char>(raw[i + 1]) : 0;
      if (next >= 0x21 && next <= 0x7E) {
        if (kElements[g0].kind == Kind::kJisX0212) run += '\x8F';
        run += static_cast<char>(c | 0x80);
        run += static_cast<char>(next | 0x80);
        i += 2;
      } else {
        AppendRun(run_element, run, &out);
        run.clear();
        out += kReplacement;
        ++i;
      }
      continue;
    }
    switch_run(g1);
    run += static_cast<char>(c);
    ++i;
    if (c < 0x80 && IsDelimiter(c, delimiters)) {
      g0 = initial_g0_;
      g1 = initial_g1;
    }
  }
  AppendRun(run_element, run, &out);
  return out;
}

std::string Latin1ToUtf8(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (unsigned char c : raw) AppendCodePoint(c, &out);
  return out;
}

std::string SanitizeUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t bad = 0;
    const size_t n = ValidSequence(text.substr(i), &bad);
    if (n > 0) {
      out.append(text.data() + i, n);
      i += n;
    } else {
      out += kReplacement;
      i += bad;
    }
  }
  return out;
}

bool IsAscii(std::string_view text) {
  for (unsigned char c : text) {
    if (c >= 0x80 || c == kEsc) return false;
  }
  return true;
}

}  // namespace tfdicom
