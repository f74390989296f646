package io.lifeline.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Topic selector matching, pinned by vectors. RFC 6570 defines expansion, not matching; these vectors follow the
 * reference hub (v0.24.2), whose templates compile to regular expressions: every expansion example of the RFC
 * matches its template, a simple variable never crosses a slash, a reserved one does.
 */
class TopicSelectorVectorsTest {

    private final TemplateTopicMatcher matcher = new TemplateTopicMatcher(1000);

    @ParameterizedTest(name = "{0} ~ {1} -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        // The protocol's own rules: *, exact strings, templates.
        "*                                              | https://example.com/anything                   | true",
        "*                                              | urn:isbn:0451450523                            | true",
        "https://example.com/books/1                    | https://example.com/books/1                    | true",
        "https://example.com/books/1                    | https://example.com/books/2                    | false",
        "https://example.com/books/1                    | https://example.com/books/1/                   | false",
        "https://example.com/books/{id}                 | https://example.com/books/1                    | true",
        "https://example.com/books/{id}                 | https://example.com/books/                     | true",
        "https://example.com/books/{id}                 | https://example.com/books/1/chapters           | false",
        "https://example.com/books/{+id}                | https://example.com/books/1/chapters           | true",
        "https://example.com/books/{id}                 | https://example.org/books/1                    | false",
        "https://example.com/{foo}/bar                  | https://example.com/foo/bar                    | true",
        "https://example.com/{foo}/bar                  | https://example.com/foo/bar/baz                | false",
        "https://example.com/{firstname}/{lastname}     | https://example.com/kevin/dunglas              | true",
        "https://example.com/foo{?bar}                  | https://example.com/foobaz                     | false",
        "https://example.com/foo{?bar}                  | https://example.com/foo?bar=baz                | true",
        "https://example.com/users/foo/{?topic}         | https://example.com/users/foo/?topic=https%3A%2F%2Fexample.com%2Fbooks%2F1 | true",
        "https://example.com/users/foo/{?topic}         | https://example.com/users/foo/?topic=https://example.com/books/1 | false",
        "/.well-known/mercure/subscriptions{/topic}{/subscriber} | /.well-known/mercure/subscriptions/https%3A%2F%2Fexample.com%2Fa/urn%3Auuid%3A1 | true",
        "/.well-known/mercure/subscriptions{/topic}{/subscriber} | /.well-known/mercure/subscriptions/a/b/c  | false",
        "https://example.com/{id}                       | https://example.com/a%20b                      | true",
        "https://example.com/{id}                       | https://example.com/a b                        | false",
        "https://example.com/{id}                       | https://example.com/a%2                        | false",
        "https://example.com/{id}                       | https://example.com/1,2                        | true",
        "https://example.com/{id}                       | https://example.com/a=b                        | false",
        "https://example.com/{id*}                      | https://example.com/a=b                        | true",
        // RFC 6570 section 3.2, expansion examples: each expansion matches its template.
        "{count}                                        | one,two,three                                  | true",
        "{count*}                                       | one,two,three                                  | true",
        "{/count}                                       | /one,two,three                                 | true",
        "{/count*}                                      | /one/two/three                                 | true",
        "{;count}                                       | ;count=one,two,three                           | true",
        "{;count*}                                      | ;count=one;count=two;count=three               | true",
        "{?count}                                       | ?count=one,two,three                           | true",
        "{?count*}                                      | ?count=one&count=two&count=three               | true",
        "{&count*}                                      | &count=one&count=two&count=three               | true",
        "{var}                                          | value                                          | true",
        "{hello}                                        | Hello%20World%21                               | true",
        "{half}                                         | 50%25                                          | true",
        "O{empty}X                                      | OX                                             | true",
        "{x,y}                                          | 1024,768                                       | true",
        "?{x,empty}                                     | ?1024,                                         | true",
        "{var:3}                                        | val                                            | true",
        "{keys*}                                        | semi=%3B,dot=.,comma=%2C                       | true",
        "{+var}                                         | value                                          | true",
        "{+hello}                                       | Hello%20World!                                 | true",
        "{base}index                                    | http%3A%2F%2Fexample.com%2Fhome%2Findex        | true",
        "{+base}index                                   | http://example.com/home/index                  | true",
        "{+path}/here                                   | /foo/bar/here                                  | true",
        "here?ref={+path}                               | here?ref=/foo/bar                              | true",
        "up{+path}{var}/here                            | up/foo/barvalue/here                           | true",
        "{+path:6}/here                                 | /foo/b/here                                    | true",
        "{#var}                                         | #value                                         | true",
        "foo{#empty}                                    | foo#                                           | true",
        "{#path,x}/here                                 | #/foo/bar,1024/here                            | true",
        "{.who}                                         | .fred                                          | true",
        "www{.dom*}                                     | www.example.com                                | true",
        "X{.list*}                                      | X.red.green.blue                               | true",
        "{/who,who}                                     | /fred/fred                                     | true",
        "{/who,dub}                                     | /fred/me%2Ftoo                                 | true",
        "{/var,x}/here                                  | /value/1024/here                               | true",
        "{/list*,path:4}                                | /red/green/blue/%2Ffoo                         | true",
        "{;v,empty,who}                                 | ;v=6;empty;who=fred                            | true",
        "{;hello:5}                                     | ;hello=Hello                                   | true",
        "{?x,y,empty}                                   | ?x=1024&y=768&empty=                           | true",
        "{?keys*}                                       | ?semi=%3B&dot=.&comma=%2C                      | true",
        "?fixed=yes{&x}                                 | ?fixed=yes&x=1024                              | true",
        "{special_chars}                                | 2001%3Adb8%3A%3A35                             | true",
        // Values are limited to what the operator allows.
        "{var}                                          | fred/fred                                      | false",
        "{x,y}                                          | 1,2,3                                          | true",
        "{/var}                                         | /a/b                                           | false",
        "{/var,x}                                       | /a/b/c                                         | false",
        "{/list*}                                       | /a/b/c/d                                       | true",
        "{.who}                                         | fred                                           | false",
        "X{.var}                                        | X.a/b                                          | false",
        "{#var}                                         | #a/b?c                                         | true",
    })
    void aSelectorMatchesWhatTheReferenceHubMatches(String selector, String topic, boolean expected) {
        assertEquals(expected, matcher.matches(selector, topic));
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://example.com/{", "https://example.com/{id", "https://example.com/{}",
        "https://example.com/{=id}", "https://example.com/{|id}", "https://example.com/{a b}", "{id:0}", "{id:10000}",
        "https://example.com/{.}", "https://example.com/{a..b}", "https://example.com/%zz/{id}", "a}b{c}"})
    void aSelectorWithABraceThatIsNoTemplateMatchesOnlyItself(String selector) {
        assertThrows(IllegalArgumentException.class, () -> UriTemplate.parse(selector));
        assertTrue(matcher.isExact(selector));
        assertTrue(matcher.matches(selector, selector));
        assertFalse(matcher.matches(selector, "https://example.com/1"));
    }

    @Test
    void onlyStarAndValidTemplatesAreLookedUpByMatchingRatherThanEquality() {
        assertFalse(matcher.isExact("*"));
        assertFalse(matcher.isExact("https://example.com/{id}"));
        assertTrue(matcher.isExact("https://example.com/1"));
        assertTrue(matcher.isExact("urn:isbn:0451450523"));
    }

    @Test
    void aCraftedTemplateCannotMakeMatchingSlow() {
        // Nested repetition like this takes exponential time on a backtracking engine; RE2 stays linear.
        String selector = "{a*}{b*}{c*}{d*}{e*}{f*}{g*}{h*}X";
        String topic = ",".repeat(10_000) + "!";
        long start = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            assertFalse(matcher.matches(selector, topic));
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "ten matches took " + took.toMillis() + " ms");
    }
}
