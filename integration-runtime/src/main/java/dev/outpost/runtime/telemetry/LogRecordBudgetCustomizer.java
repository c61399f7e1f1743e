package dev.outpost.runtime.telemetry;

import dev.outpost.runtime.config.RuntimeConfig;
import io.opentelemetry.sdk.autoconfigure.spi.AutoConfigurationCustomizer;
import io.opentelemetry.sdk.autoconfigure.spi.AutoConfigurationCustomizerProvider;
import io.smallrye.config.SmallRyeConfig;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Puts {@link LogRecordBudgetProcessor} in front of the log record processor the SDK's
 * autoconfigure builds (the batch processor, {@code quarkus.otel.blrp.*}). Quarkus builds its SDK
 * with that autoconfigure and the application's class loader, so it loads this provider from
 * {@code META-INF/services}; it has no CDI hook for log record processors (it has one for span
 * processors). Built outside CDI, the budget reads its configuration directly.
 */
public final class LogRecordBudgetCustomizer implements AutoConfigurationCustomizerProvider {

  @Override
  public void customize(AutoConfigurationCustomizer autoConfiguration) {
    autoConfiguration.addLogRecordProcessorCustomizer((processor, otelConfig) -> new LogRecordBudgetProcessor(processor,
        ConfigProvider.getConfig().unwrap(SmallRyeConfig.class).getConfigMapping(RuntimeConfig.class)
            .telemetry().logRecordsPerSecond()));
  }
}
