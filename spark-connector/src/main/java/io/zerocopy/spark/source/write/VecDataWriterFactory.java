package io.zerocopy.spark.source.write;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.write.DataWriter;
import org.apache.spark.sql.connector.write.DataWriterFactory;

/** Serialised to the executors; makes one {@link VecDataWriter} per task attempt. */
record VecDataWriterFactory(WritePlan plan) implements DataWriterFactory {

  @Override
  public DataWriter<InternalRow> createWriter(int partitionId, long taskId) {
    return new VecDataWriter(plan, partitionId, taskId);
  }
}
