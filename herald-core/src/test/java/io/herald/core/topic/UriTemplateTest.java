package io.herald.core.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class UriTemplateTest {

  /**
   * The RFC 6570 examples (template, expansion) that yosida95/uritemplate v3 asserts its
   * Template.Regexp() matches; Mercure matches topics with that regexp, so must we.
   */
  static Stream<Arguments> rfcExpansions() {
    String[][] cases = {
      // 3.2.1
      {"{count}", "one,two,three"}, {"{count*}", "one,two,three"},
      {"{/count}", "/one,two,three"}, {"{/count*}", "/one/two/three"},
      {"{;count}", ";count=one,two,three"}, {"{;count*}", ";count=one;count=two;count=three"},
      {"{?count}", "?count=one,two,three"}, {"{?count*}", "?count=one&count=two&count=three"},
      {"{&count*}", "&count=one&count=two&count=three"},
      // 3.2.2
      {"{var}", "value"}, {"{hello}", "Hello%20World%21"}, {"{half}", "50%25"},
      {"O{empty}X", "OX"}, {"O{undef}X", "OX"}, {"{x,y}", "1024,768"},
      {"{x,hello,y}", "1024,Hello%20World%21,768"}, {"?{x,empty}", "?1024,"},
      {"?{x,undef}", "?1024"}, {"?{undef,y}", "?768"}, {"{var:3}", "val"},
      {"{var:30}", "value"}, {"{list}", "red,green,blue"}, {"{list*}", "red,green,blue"},
      {"{keys}", "semi,%3B,dot,.,comma,%2C"}, {"{keys*}", "semi=%3B,dot=.,comma=%2C"},
      // 3.2.3
      {"{+var}", "value"}, {"{+hello}", "Hello%20World!"}, {"{+half}", "50%25"},
      {"{base}index", "http%3A%2F%2Fexample.com%2Fhome%2Findex"},
      {"{+base}index", "http://example.com/home/index"}, {"O{+empty}X", "OX"},
      {"O{+undef}X", "OX"}, {"{+path}/here", "/foo/bar/here"},
      {"here?ref={+path}", "here?ref=/foo/bar"}, {"up{+path}{var}/here", "up/foo/barvalue/here"},
      {"{+x,hello,y}", "1024,Hello%20World!,768"}, {"{+path,x}/here", "/foo/bar,1024/here"},
      {"{+path:6}/here", "/foo/b/here"}, {"{+list}", "red,green,blue"},
      {"{+list*}", "red,green,blue"}, {"{+keys}", "semi,;,dot,.,comma,,"},
      {"{+keys*}", "semi=;,dot=.,comma=,"},
      // 3.2.4
      {"{#var}", "#value"}, {"{#hello}", "#Hello%20World!"}, {"{#half}", "#50%25"},
      {"foo{#empty}", "foo#"}, {"foo{#undef}", "foo"}, {"{#x,hello,y}", "#1024,Hello%20World!,768"},
      {"{#path,x}/here", "#/foo/bar,1024/here"}, {"{#path:6}/here", "#/foo/b/here"},
      {"{#list}", "#red,green,blue"}, {"{#list*}", "#red,green,blue"},
      {"{#keys}", "#semi,;,dot,.,comma,,"}, {"{#keys*}", "#semi=;,dot=.,comma=,"},
      // 3.2.5
      {"{.who}", ".fred"}, {"{.who,who}", ".fred.fred"}, {"{.half,who}", ".50%25.fred"},
      {"www{.dom*}", "www.example.com"}, {"X{.var}", "X.value"}, {"X{.empty}", "X."},
      {"X{.undef}", "X"}, {"X{.var:3}", "X.val"}, {"X{.list}", "X.red,green,blue"},
      {"X{.list*}", "X.red.green.blue"}, {"X{.keys}", "X.semi,%3B,dot,.,comma,%2C"},
      {"X{.keys*}", "X.semi=%3B.dot=..comma=%2C"}, {"X{.empty_keys}", "X"},
      {"X{.empty_keys*}", "X"},
      // 3.2.6
      {"{/who}", "/fred"}, {"{/who,who}", "/fred/fred"}, {"{/half,who}", "/50%25/fred"},
      {"{/who,dub}", "/fred/me%2Ftoo"}, {"{/var}", "/value"}, {"{/var,empty}", "/value/"},
      {"{/var,undef}", "/value"}, {"{/var,x}/here", "/value/1024/here"},
      {"{/var:1,var}", "/v/value"}, {"{/list}", "/red,green,blue"},
      {"{/list*}", "/red/green/blue"}, {"{/list*,path:4}", "/red/green/blue/%2Ffoo"},
      {"{/keys}", "/semi,%3B,dot,.,comma,%2C"}, {"{/keys*}", "/semi=%3B/dot=./comma=%2C"},
      // 3.2.7
      {"{;who}", ";who=fred"}, {"{;half}", ";half=50%25"}, {"{;empty}", ";empty"},
      {"{;v,empty,who}", ";v=6;empty;who=fred"}, {"{;v,bar,who}", ";v=6;who=fred"},
      {"{;x,y}", ";x=1024;y=768"}, {"{;x,y,empty}", ";x=1024;y=768;empty"},
      {"{;x,y,undef}", ";x=1024;y=768"}, {"{;hello:5}", ";hello=Hello"},
      {"{;list}", ";list=red,green,blue"}, {"{;list*}", ";list=red;list=green;list=blue"},
      {"{;keys}", ";keys=semi,%3B,dot,.,comma,%2C"}, {"{;keys*}", ";semi=%3B;dot=.;comma=%2C"},
      // 3.2.8
      {"{?who}", "?who=fred"}, {"{?half}", "?half=50%25"}, {"{?x,y}", "?x=1024&y=768"},
      {"{?x,y,empty}", "?x=1024&y=768&empty="}, {"{?x,y,undef}", "?x=1024&y=768"},
      {"{?var:3}", "?var=val"}, {"{?list}", "?list=red,green,blue"},
      {"{?list*}", "?list=red&list=green&list=blue"}, {"{?keys}", "?keys=semi,%3B,dot,.,comma,%2C"},
      {"{?keys*}", "?semi=%3B&dot=.&comma=%2C"},
      // 3.2.9
      {"{&who}", "&who=fred"}, {"{&half}", "&half=50%25"}, {"?fixed=yes{&x}", "?fixed=yes&x=1024"},
      {"{&x,y,empty}", "&x=1024&y=768&empty="}, {"{&x,y,undef}", "&x=1024&y=768"},
      {"{&var:3}", "&var=val"}, {"{&list}", "&list=red,green,blue"},
      {"{&list*}", "&list=red&list=green&list=blue"}, {"{&keys}", "&keys=semi,%3B,dot,.,comma,%2C"},
      {"{&keys*}", "&semi=%3B&dot=.&comma=%2C"},
      // others
      {"{special_chars}", "2001%3Adb8%3A%3A35"},
    };
    return Stream.of(cases).map(c -> Arguments.of(c[0], c[1]));
  }

  @ParameterizedTest(name = "{0} matches {1}")
  @MethodSource("rfcExpansions")
  void matchesEveryRfcExpansion(String template, String expansion) {
    UriTemplate t = UriTemplate.compile(template);
    assertThat(t.isValid()).isTrue();
    assertThat(t.matches(expansion)).isTrue();
    // Sanity check of the documented regex against the same example.
    assertThat(Pattern.compile(t.regex()).matcher(expansion).matches()).isTrue();
  }

  @ParameterizedTest(name = "{0} vs {1} -> {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        // The protocol and Mercure's own tests.
        "https://example.com/books/{id}|https://example.com/books/1|true",
        "https://example.com/books/{id}|https://example.com/books/|true",
        "https://example.com/books/{id}|https://example.com/books/1/2|false",
        "https://example.com/books/{id}|https://example.com/books|false",
        "https://example.com/books/{id}|https://example.com/books/1?x|false",
        "https://example.com/books/{id}|http://example.com/books/1|false",
        "https://example.com/{foo}/bar|https://example.com/foo/bar|true",
        "https://example.com/{foo}/bar|https://example.com/foo/bar/baz|false",
        "https://example.com/{fistname}/{lastname}|https://example.com/kevin/dunglas|true",
        "https://example.com/dictionary/{term:1}/{term}|https://example.com/dictionary/c/cat|true",
        "https://example.com/dictionary/{term:1}/{term}|https://example.com/dictionary/c/a/cat|false",
        "https://{host}/users{/user}{/media}|https://example.com/users/kevin/pics|true",
        // Simple: unreserved, comma, triplets; nothing else.
        "{var}|a-b.c_d~e,f|true",
        "{var}|a%2Fb|true",
        "{var}|a/b|false",
        "{var}|a=b|false",
        "{var}|a b|false",
        "{var}|a%2|false",
        "{var}|a%zz|false",
        "{var}|a%|false",
        "{var}|caf\u00e9|false",
        "{var}|a+b|false",
        "{var}|''|true",
        // Prefix does not limit length (as in Go).
        "{var:1}|abcdef|true",
        // Reserved and fragment.
        "{+var}|a/b?c#d[e]@f!$&'()*+,;=:|true",
        "{+var}|a b|false",
        "{+var}|%|false",
        "X{#var}|X|true",
        "X{#var}|X#a/b?c|true",
        "X{#var}|Xa|false",
        // Label and path.
        "X{.var}|X.a.b|true",
        "X{.var}|Xa|false",
        "{/var}|/a|true",
        "{/var}|/a/b|false",
        "{/var}|a|false",
        "{/var*}|/a/b/c|true",
        "{/x,y}|/a/b|true",
        "{/x,y}|/a/b/c|false",
        "{/x,y,z}|/a/b/c|true",
        "{/x,y*}|/a/b/c/d|true",
        // Named operators allow '=' but not their own separator inside one value.
        "{;x}|;x=1|true",
        "{;x}|;y=1|true",
        "{;x}|;x=1;y=2|false",
        "{;x*}|;x=1;x=2|true",
        "{?x}|?x=1|true",
        "{?x}|?x=1&y=2|false",
        "{?x}|x=1|false",
        "{?x,y}|?x=1&y=2|true",
        "{?x,y}|?x=1&y=2&z=3|false",
        "{?x*}|?x=1&y=2&z=3|true",
        "/search{?q}{&page}|/search?q=a&page=2|true",
        "/search{?q}{&page}|/search&page=2|true",
        "/search{?q}{&page}|/search|true",
        "/search{?q}{&page}|/search?q=a?page=2|false",
        // Explode allows '=' (for exploded maps); only from the exploded variable on.
        "{x*}|a=b,c=d|true",
        "{x,y*}|a,b=c|true",
        "{x,y*}|a=b|false",
        "{x,y}|1,2,3|true",
        // Literals compare exactly, case-sensitively, percent triplets not decoded.
        "a%20b/{x}|a%20b/1|true",
        "a%20b/{x}|a b/1|false",
        "A/{x}|a/1|false",
        "caf\u00e9/{x}|caf\u00e9/1|true",
        "it's/{x}|it's/1|true",
      })
  void matchesLikeMercure(String template, String uri, boolean expected) {
    UriTemplate t = UriTemplate.compile(template);
    assertThat(t.isValid()).as("valid").isTrue();
    assertThat(t.matches(uri)).isEqualTo(expected);
    assertThat(Pattern.compile(t.regex()).matcher(uri).matches()).as("regex").isEqualTo(expected);
  }

  @ParameterizedTest(name = "malformed: {0}")
  @ValueSource(
      strings = {
        "{", "}", "a}b", "{x", "{x,", "{x,}", "{}", "{{x}}", "{x}}", "{=x}", "{,x}", "{!x}",
        "{@x}", "{|x}", "{x y}", "{ x}", "{x-y}", "{.x.}", "{.x}{..y}", "{x..y}", "{.x}{.y.}",
        "{x:0}", "{x:01}", "{x:10000}", "{x:}", "{x:a}", "{x*:3}", "{x:3*}", "{x**}", "{x%2}",
        "{x%zz}", "a b/{x}", "\"{x}\"", "{x}|", "<{x}>", "a\\b{x}", "%zz{x}", "%2{x}", "{x}%",
        "x^{y}", "`{x}`", "{x}\u0000", "{x}\ud800", "{+}", "{#}", "{x,,y}", "{/x*y}", "{?x,}",
      })
  void malformedTemplatesMatchOnlyThemselves(String template) {
    UriTemplate t = UriTemplate.compile(template);
    assertThat(t.isValid()).isFalse();
    assertThat(t.regex()).isNull();
    assertThat(t.matches(template)).isTrue();
    assertThat(t.matches("x")).isFalse();
    assertThat(t.matches("")).isFalse();
  }

  @ParameterizedTest(name = "valid: {0}")
  @ValueSource(
      strings = {
        "{x:9999}", "{x:1}", "{x.y}", "{x%20y}", "{_}", "{X_1}", "{x*,y:2,z}", "{+x*}", "{#x:3}",
        "no-expression-at-all", "", "!#$&()*+,/:;=?@[]_~'", "{x}{y}{z}",
        "\ud83d\ude00/{x}", // supplementary ucschar literal
      })
  void validTemplates(String template) {
    assertThat(UriTemplate.compile(template).isValid()).isTrue();
  }

  @Test
  void literalOnlyTemplateMatchesItselfOnly() {
    UriTemplate t = UriTemplate.compile("https://example.com/a");
    assertThat(t.matches("https://example.com/a")).isTrue();
    assertThat(t.matches("https://example.com/ab")).isFalse();
    assertThat(t.matches("https://example.com/")).isFalse();
  }

  @Test
  void emptyTemplateMatchesOnlyEmptyString() {
    UriTemplate t = UriTemplate.compile("");
    assertThat(t.matches("")).isTrue();
    assertThat(t.matches("a")).isFalse();
  }

  @Test
  void capsTreatHugeTemplatesAsMalformed() {
    String atCap = "a".repeat(UriTemplate.MAX_LENGTH - 3) + "{x}";
    assertThat(UriTemplate.compile(atCap).isValid()).isTrue();
    assertThat(UriTemplate.compile(atCap).matches("a".repeat(UriTemplate.MAX_LENGTH - 3) + "1"))
        .isTrue();
    String overCap = "a" + atCap;
    assertThat(UriTemplate.compile(overCap).isValid()).isFalse();
    assertThat(UriTemplate.compile(overCap).matches(overCap)).isTrue();

    String maxVars = "{x}".repeat(UriTemplate.MAX_VARIABLES);
    assertThat(UriTemplate.compile(maxVars).isValid()).isTrue();
    assertThat(UriTemplate.compile(maxVars + "{y}").isValid()).isFalse();
    String manyInOne = "{" + "x,".repeat(UriTemplate.MAX_VARIABLES) + "y}";
    assertThat(UriTemplate.compile(manyInOne).isValid()).isFalse();
  }

  /**
   * Inputs that make a backtracking engine explode on the Go regex (ambiguous nested stars that
   * almost match) must stay linear here.
   */
  @Test
  void noCatastrophicBacktracking() {
    String[] templates = {
      "{count*}X", "{x,y*}X", "{/a*}{/b*}{/c*}X", "{a}{b}{c}{d}{e}{f}{g}{h}X",
      "{+a}{+b}{+c}{+d}/X", "{?a*}{&b*}X", "{" + "v,".repeat(40) + "w}X",
    };
    String[] inputs = {
      ",".repeat(20_000) + "Y", "/a".repeat(10_000) + "Y", "a".repeat(20_000) + "Y",
      "?a=b&c=d".repeat(2_000) + "Y", "%41".repeat(5_000) + "%4",
    };
    assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () -> {
          for (String template : templates) {
            UriTemplate t = UriTemplate.compile(template);
            assertThat(t.isValid()).isTrue();
            for (String input : inputs) {
              assertThat(t.matches(input)).as("%s vs long input", template).isFalse();
            }
          }
        });
  }

  /**
   * Differential test: on random small templates and random short inputs, the NFA accepts
   * exactly what the Go-equivalent regex accepts (java.util.regex is fine on inputs this short).
   */
  @Test
  void agreesWithTheGoRegexOnRandomInputs() {
    Random random = new Random(6570);
    String[] pieces = {
      "a", "/", "?", "#", ".", ",", "=", "&", ";", "%41",
      "{x}", "{x,y}", "{x*}", "{x,y*}", "{+x}", "{+x,y}", "{#x}", "{#x,y}", "{.x}", "{.x*}",
      "{/x}", "{/x,y}", "{/x*}", "{;x}", "{;x,y}", "{;x*}", "{?x}", "{?x,y}", "{?x*}", "{&x}",
      "{&x,y,z}", "{&x*}", "{x:2}",
    };
    char[] alphabet = "a/?#.,=&;%4!Z ".toCharArray();
    for (int round = 0; round < 400; round++) {
      StringBuilder template = new StringBuilder();
      int n = 1 + random.nextInt(4);
      for (int k = 0; k < n; k++) {
        template.append(pieces[random.nextInt(pieces.length)]);
      }
      UriTemplate t = UriTemplate.compile(template.toString());
      assertThat(t.isValid()).as(template.toString()).isTrue();
      Pattern p = Pattern.compile(t.regex());
      for (int k = 0; k < 60; k++) {
        StringBuilder input = new StringBuilder();
        int len = random.nextInt(9);
        for (int c = 0; c < len; c++) {
          input.append(alphabet[random.nextInt(alphabet.length)]);
        }
        String s = input.toString();
        assertThat(t.matches(s))
            .as("%s vs %s", template, s)
            .isEqualTo(p.matcher(s).matches());
      }
    }
  }

  @Test
  void goRegexShapeForAPathExpression() {
    // The structure Go builds: optional prefix, first value, bounded separator-led repeats.
    String re = UriTemplate.compile("{/x,y}").regex();
    assertThat(re).startsWith("^(?:\\x2f(").endsWith("{0,1}))?$");
  }

  @Test
  void retainedBytesCoverTheTextAndStayASmallMultipleOfIt() {
    for (int chars : new int[] {10, 100, 1000, 2000}) {
      String literal = "https://example.com/" + "x".repeat(chars);
      UriTemplate t = UriTemplate.compile(literal + "{/id}{?q,r}");
      int length = t.template().length();
      // Never below the string itself (2 bytes a char); at most 2 + 4 bytes a char plus the
      // fixed cost of its three variables (about 40 instructions of 4 bytes).
      assertThat(t.retainedBytes()).isGreaterThanOrEqualTo(2 * length)
          .isLessThanOrEqualTo(6 * length + 400);
      assertThat(t.matches(literal + "/7?q=1&r=2")).isTrue();
    }
    UriTemplate malformed = UriTemplate.compile("{unclosed");
    assertThat(malformed.retainedBytes()).isGreaterThanOrEqualTo(2 * "{unclosed".length()).isLessThan(200);
  }

  @Test
  void theLiteralPrefixDecidesMismatchesAndBoundsTheCost() {
    UriTemplate t = UriTemplate.compile("https://example.com/{a}/x");
    assertThat(t.matches("https://example.org/1/x")).isFalse();
    assertThat(t.matches("https://example.com/1/x")).isTrue();
    assertThat(t.matches("https://example.com")).isFalse();
    assertThat(t.matchCost("https://example.org/1/x")).isEqualTo(1);
    assertThat(t.matchCost("https://example.com/1/x")).isGreaterThan(1);
    // An expression first: no prefix to decide with, the program runs.
    UriTemplate open = UriTemplate.compile("{+base}/x");
    assertThat(open.matches("https://example.org/x")).isTrue();
    assertThat(open.matchCost("https://example.org/x")).isGreaterThan(1);
    // A malformed template matches only itself, whatever its prefix.
    UriTemplate bad = UriTemplate.compile("https://example.com/{");
    assertThat(bad.matches("https://example.com/{")).isTrue();
    assertThat(bad.matches("https://example.com/")).isFalse();
  }
}
