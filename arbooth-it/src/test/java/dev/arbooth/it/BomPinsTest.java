package dev.arbooth.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * A consumer that imports {@code arbooth-bom} gets exactly the versions the SDK was built and tested with: every
 * artifact of the modules' run-time closure (as Maven resolved it for this build, {@code
 * target/runtime-closure.txt}) is pinned in the BOM, with the same version and classifier.
 */
class BomPinsTest {
    private static final Pattern PROPERTY = Pattern.compile("\\$\\{([^}]+)}");

    record Coordinate(String group, String artifact, String classifier) {}

    @Test
    void everyRunTimeArtifactIsPinnedAtItsBuildVersion() throws Exception {
        Map<Coordinate, String> resolved = resolvedClosure(Path.of("target", "runtime-closure.txt"));
        Map<Coordinate, String> pinned = bomPins(Path.of("..", "arbooth-bom", "pom.xml"));

        assertThat(resolved).as("resolved run-time closure").hasSizeGreaterThan(20);
        List<String> problems = new ArrayList<>();
        resolved.forEach((c, version) -> {
            String pin = pinned.get(c);
            if (pin == null) {
                problems.add(c + " " + version + " is not pinned in arbooth-bom");
            } else if (!pin.equals(version)) {
                problems.add(c + " resolves to " + version + " but arbooth-bom pins " + pin);
            }
        });
        assertThat(problems).isEmpty();
    }

    /** Lines such as {@code group:artifact:jar[:classifier]:version[ -- module name]}. */
    static Map<Coordinate, String> resolvedClosure(Path list) throws IOException {
        Map<Coordinate, String> out = new HashMap<>();
        for (String line : Files.readAllLines(list)) {
            String s = line.strip();
            int module = s.indexOf(" -- ");
            if (module >= 0) {
                s = s.substring(0, module);
            }
            String[] p = s.split(":");
            if (p.length < 4 || s.startsWith("The following")) {
                continue;
            }
            String classifier = p.length >= 5 ? p[3] : "";
            out.put(new Coordinate(p[0], p[1], classifier), p[p.length - 1]);
        }
        return out;
    }

    static Map<Coordinate, String> bomPins(Path pom) throws Exception {
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
        Element project = doc.getDocumentElement();
        Map<String, String> props = new HashMap<>();
        props.put("project.version", text(project, "version"));
        Element properties = child(project, "properties");
        if (properties != null) {
            NodeList ps = properties.getChildNodes();
            for (int i = 0; i < ps.getLength(); i++) {
                if (ps.item(i) instanceof Element e) {
                    props.put(e.getTagName(), e.getTextContent().strip());
                }
            }
        }
        Map<Coordinate, String> out = new HashMap<>();
        NodeList deps =
                child(child(project, "dependencyManagement"), "dependencies").getElementsByTagName("dependency");
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            String classifier = text(d, "classifier");
            out.put(
                    new Coordinate(text(d, "groupId"), text(d, "artifactId"), classifier == null ? "" : classifier),
                    expand(text(d, "version"), props));
        }
        return out;
    }

    private static String expand(String value, Map<String, String> props) {
        Matcher m = PROPERTY.matcher(value);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String v = props.get(m.group(1));
            assertThat(v).as("property %s used in arbooth-bom", m.group(1)).isNotNull();
            m.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static Element child(Element parent, String tag) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(tag)) {
                return e;
            }
        }
        return null;
    }

    private static String text(Element parent, String tag) {
        Element e = child(parent, tag);
        return e == null ? null : e.getTextContent().strip();
    }
}
