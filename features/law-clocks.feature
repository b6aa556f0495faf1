Feature: The law's clocks: deemed acceptance, extension, stage deadlines and suspension
  Art. 32 of the Administrative Licensing Law: an application neither notified nor accepted within
  5 working days is accepted from the day of receipt; art. 42: one extension of 10 working days
  with approval, the reason told to the applicant; art. 45: a suspension is not counted, and the
  departments downstream start their clocks when they receive the file.

  Background:
    Given the catalogue in "workflows"
    And today is 2026-11-02
    And an applicant "Zhao Liu"

  Scenario: Deemed accepted after 5 working days without a notice, the promise counted from receipt
    When the applicant opens a case of "start-a-business" online
    And the applicant submits a complete application
    And 6 working days pass
    And the overdue scan runs
    Then the case is "in_progress"
    And the progress view shows "Deemed accepted from receipt: no notice within 5 working days"
    And the case is due on 2026-11-03

  Scenario: An extension approved by the supervisor moves the legal deadline and is shown
    When the applicant opens a case of "start-a-business" online
    And the applicant submits a complete application
    And the clerk accepts the case
    Then item "330102-SCJG-QYSLDJ" has its legal deadline on 2026-11-05
    When the supervisor extends "330102-SCJG-QYSLDJ" by 5 working days because "foreign shareholders checked"
    Then item "330102-SCJG-QYSLDJ" has its legal deadline on 2026-11-12
    And the progress view shows "Time limit extended with approval"

  Scenario: A 60-working-day upstream suspension warns the suspended item only
    When the applicant opens a case of "start-a-business" online
    And the applicant submits a complete application
    And the clerk accepts the case
    And the reviewer starts review of "330102-SCJG-QYSLDJ"
    And the reviewer suspends "330102-SCJG-QYSLDJ" for "expert_review" for 20 working days because "name dispute"
    And 60 working days pass
    And the overdue scan runs
    Then the supervision warns "330102-SCJG-QYSLDJ" for its "suspension"
    And the supervision does not warn "330102-GA-YZKZBA"
    When the reviewer resumes "330102-SCJG-QYSLDJ"
    And the reviewer approves "330102-SCJG-QYSLDJ"
    And every remaining item is approved
    And the clerk delivers the results electronically, mailing "seal-filing" under the tracking reference "EMS 1180 2345 682"
    Then the case is "delivered"

  Scenario: Staff check the premises on site: the applicant makes no trip
    When the applicant opens a case of "start-a-business" online
    And the applicant submits a complete application
    And the clerk accepts the case
    And the reviewer starts review of "330102-SCJG-QYSLDJ"
    And the reviewer visits the applicant for "330102-SCJG-QYSLDJ": "premises checked on site"
    Then the case has 0 trips
    And the progress view shows "Staff visited the applicant"
