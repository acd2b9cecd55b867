#!/bin/sh
# Runs a Kafka class on the image's class path. The broker (kafka.Kafka) logs INFO to stdout; the tools log
# warnings to stderr, so their own output on stdout stays clean.
case "$1" in
  kafka.Kafka) log=/opt/kafka/config/log4j2.properties; heap=${KAFKA_HEAP_OPTS:--Xmx1g -Xms1g} ;;
  *) log=/opt/kafka/config/tools-log4j2.properties; heap=${KAFKA_HEAP_OPTS:--Xmx256m} ;;
esac
# shellcheck disable=SC2086 # heap and KAFKA_OPTS are lists of JVM flags
exec java $heap $KAFKA_OPTS -Dlog4j2.configurationFile="$log" -cp "/opt/kafka/libs/*" "$@"
