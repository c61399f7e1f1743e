package dev.outpost.runtime.deploy;

import dev.outpost.runtime.config.IntegrationProperties;
import dev.outpost.runtime.dispatch.AnsweredExchanges;
import dev.outpost.runtime.dispatch.BackendCookies;
import dev.outpost.runtime.dispatch.CamelStopBudget;
import dev.outpost.runtime.dispatch.GatewayOwnedHeaders;
import dev.outpost.runtime.dispatch.InboundHttpHeaders;
import dev.outpost.runtime.dispatch.ResponseHeaderFilter;
import dev.outpost.runtime.dispatch.RunningExchanges;
import dev.outpost.runtime.dispatch.WritableAnswers;
import dev.outpost.runtime.secret.SecretRedactingLogListener;
import dev.outpost.runtime.telemetry.IntegrationMetrics;
import dev.outpost.runtime.telemetry.IntegrationLogContext;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.PlatformHttpComponent;
import org.apache.camel.support.service.ServiceHelper;

/**
 * What the shared {@code CamelContext} needs before the first integration is loaded: the
 * integrations' properties (values taken literally), the inbound-header hygiene (gateway-owned
 * headers from the request only) and metrics of every route, the record of which HTTP exchanges were
 * answered by a timeout, the count of each integration's running HTTP exchanges, secret redaction in
 * front of the log listeners, the withheld components, the browse of exchanges in flight that a
 * retiring version's drain reads, a backend's cookies kept out of the answers, the time Camel's
 * stop gets after a SIGTERM, and threads that start without the log context of the thread that made
 * them ({@link IntegrationLogContext#withoutInherited}).
 */
final class CamelHooks {

  private CamelHooks() {}

  static void install(CamelContext camel, IntegrationProperties properties, MeterRegistry meters,
      RunningExchanges running, CamelStopBudget stopBudget) {
    // a retiring version's drain waits for its exchanges by browsing them, and Camel keeps that
    // browse empty unless asked: the wait ended at once and an exchange under way was cut midway
    camel.getInflightRepository().setInflightBrowseEnabled(true);
    camel.getPropertiesComponent().addPropertiesSource(properties);
    // a value is taken as it is: a secret holding {{…}} was read as a placeholder again, and the
    // deploy failed naming part of it
    camel.getPropertiesComponent().setNestedPlaceholder(false);
    InboundHttpHeaders inboundHeaders = new InboundHttpHeaders();
    camel.addRoutePolicyFactory(inboundHeaders);
    camel.getManagementStrategy().addEventNotifier(inboundHeaders);
    ServiceHelper.startService(inboundHeaders);
    BackendCookies backendCookies = new BackendCookies();
    camel.getManagementStrategy().addEventNotifier(backendCookies);
    ServiceHelper.startService(backendCookies);
    // every platform-http endpoint (rest's too) takes the component's filter
    camel.getComponent("platform-http", PlatformHttpComponent.class)
        .setHeaderFilterStrategy(new ResponseHeaderFilter());
    camel.getManagementStrategy().addEventNotifier(stopBudget);
    ServiceHelper.startService(stopBudget);
    camel.addRoutePolicyFactory(new GatewayOwnedHeaders());
    camel.addRoutePolicyFactory(new AnsweredExchanges());
    camel.addRoutePolicyFactory(new WritableAnswers());
    camel.addRoutePolicyFactory(running);
    camel.addRoutePolicyFactory(new IntegrationMetrics(meters));
    SecretRedactingLogListener.installFirst(camel);
    camel.getExecutorServiceManager().addThreadFactoryListener(
        (source, factory) -> task -> factory.newThread(IntegrationLogContext.withoutInherited(task)));
    for (String withheld : WithheldComponent.NAMES) {
      camel.removeComponent(withheld);
      camel.addComponent(withheld, new WithheldComponent(withheld));
    }
  }
}
