package wijkwijzer;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * An OpenSearch node on 127.0.0.1 whose modules are loaded from the
 * classpath, the way OpenSearch's own test framework does, so no distribution
 * download is needed. Usage: TestNode HOME_DIR HTTP_PORT for a single node;
 * TestNode HOME_DIR HTTP_PORT NODE_NAME SEED_TRANSPORT_PORTS NODE_NAMES for
 * one node of a cluster (the ports and names of every node, comma-separated).
 * The transport port is always HTTP_PORT + 1.
 */
public final class TestNode {
    private static final class ClasspathNode extends Node {
        ClasspathNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
            super(environment, plugins, true);
        }
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[0]).toAbsolutePath();
        int httpPort = Integer.parseInt(args[1]);
        boolean clustered = args.length >= 5;
        String nodeName = clustered ? args[2] : "wijkwijzer-test-node";
        Settings.Builder builder = Settings.builder()
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("cluster.name", "wijkwijzer-test")
            .put("node.name", nodeName)
            .put("network.host", "127.0.0.1")
            .put("http.port", httpPort)
            .put("transport.port", httpPort + 1)
            .put("cluster.routing.allocation.disk.threshold_enabled", false);
        if (clustered) {
            List<String> seeds = new java.util.ArrayList<>();
            for (String port : args[3].split(",")) {
                seeds.add("127.0.0.1:" + port);
            }
            builder.putList("discovery.seed_hosts", seeds)
                .putList("cluster.initial_cluster_manager_nodes", List.of(args[4].split(",")));
        } else {
            builder.put("discovery.type", "single-node");
        }
        Settings settings = builder.build();
        LogConfigurator.configureWithoutConfig(settings);
        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings, Map.of(), home.resolve("config"), () -> nodeName);
        Node node = new ClasspathNode(
            environment, List.of(Netty4Plugin.class, CommonAnalysisPlugin.class, MapperExtrasPlugin.class));
        node.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception ignored) {
                // shutting down anyway
            }
        }));
        System.out.println("READY http://127.0.0.1:" + httpPort);
        Thread.currentThread().join();
    }
}
